import net from 'node:net';
import pg from 'pg';
import type { Config } from '../config/schema.js';
import { clientConfig, type ConnTarget } from '../db/connection.js';
import { BillInquiryError, type ErrorCode } from '../errors.js';

/** A connected client to `target` (optionally another database on the same server); pg errors become one-line BillInquiryErrors. */
export async function connect(
  cfg: Readonly<Config>,
  target: ConnTarget,
  database = target.database,
): Promise<pg.Client> {
  const t = { ...target, database };
  const client = new pg.Client(clientConfig(t, { connectionTimeoutMillis: cfg.database.connectTimeoutMs }));
  // An idle client whose server goes away emits 'error'; without a listener that would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    // node-postgres reports any failure before the TLS handshake as a TLS error: find the network cause.
    const network = /establishing an SSL connection/.test((e as Error).message)
      ? await tcpProbe(t.host, t.port, cfg.database.connectTimeoutMs)
      : undefined;
    throw connectError(t, network ?? e);
  }
  return client;
}

/** The network error of a plain TCP connect to host:port, or undefined when it connects. */
function tcpProbe(host: string, port: number, timeoutMs: number): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (e?: Error) => {
      socket.destroy();
      resolve(e);
    };
    socket.setTimeout(timeoutMs, () => done(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    socket.once('connect', () => done());
    socket.once('error', done);
  });
}

/** Runs `fn` with a client and always closes it. */
export async function withClient<T>(
  cfg: Readonly<Config>,
  target: ConnTarget,
  database: string,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const client = await connect(cfg, target, database);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Translates a failed connection attempt into what went wrong and what to do. */
export function connectError(t: ConnTarget, e: unknown): BillInquiryError {
  const where = `${t.host}:${t.port}`;
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  const wrap = (code: ErrorCode, message: string, hint: string) =>
    new BillInquiryError(code, message, hint, { cause: e });
  switch (err.code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
    case 'ENETUNREACH':
      return wrap(
        'DB_UNREACHABLE',
        `cannot reach PostgreSQL at ${where} (${err.code})`,
        'start it (bill-inquiry cluster up) or fix the host/port of --admin-url',
      );
    case '28P01':
      return wrap(
        'DB_AUTH',
        `password authentication failed for user "${t.user}" at ${where}`,
        'check the password of --admin-url / BILL_INQUIRY_ADMIN_URL',
      );
    case '28000':
      return wrap(
        'DB_REJECTED',
        `PostgreSQL at ${where} rejected user "${t.user}": ${msg}`,
        'check pg_hba.conf and that the user exists',
      );
    case '3D000':
      return wrap(
        'DB_MISSING',
        `database "${t.database}" does not exist at ${where}`,
        'run `bill-inquiry db apply` first',
      );
  }
  if (/timeout/i.test(msg))
    return wrap(
      'DB_UNREACHABLE',
      `cannot reach PostgreSQL at ${where} (timed out)`,
      'check the host/port and firewall of --admin-url',
    );
  if (/does not support SSL/i.test(msg))
    return wrap(
      'DB_NO_TLS',
      `PostgreSQL at ${where} does not offer TLS`,
      'enable ssl on the server: plan §3.2 requires TLS 1.2+',
    );
  if (/certificate|self[- ]signed|SSL|TLS/i.test(msg))
    return wrap(
      'DB_TLS',
      `TLS handshake with ${where} failed: ${msg}`,
      'is a PostgreSQL server with TLS listening there? For a private CA add sslrootcert=… to the URL',
    );
  return wrap('DB_CONNECT', `cannot connect to PostgreSQL at ${where}: ${msg}`, 'check the admin connection');
}

/** Wraps a failed statement with the step it belonged to. */
export function stepError(step: string, e: unknown): BillInquiryError {
  if (e instanceof BillInquiryError) return e;
  const err = e as { code?: string; message?: string };
  return new BillInquiryError(
    'APPLY_FAILED',
    `${step}: ${err.message ?? String(e)}${err.code ? ` (SQLSTATE ${err.code})` : ''}`,
    'the admin connection needs superuser or CREATEDB+CREATEROLE rights',
    { cause: e },
  );
}
