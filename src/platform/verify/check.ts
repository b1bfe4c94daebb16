import type pg from 'pg';
import type { MemoryProfile } from '../../cluster/local/memoryProfile.js';
import type { Config } from '../../config/schema.js';
import type { ConnTarget } from '../../db/connection.js';
import { connect } from '../connect.js';
import { ident } from '../context.js';
import type { LoginRole } from '../roleTargets.js';

/**
 * application_name of every connection `db verify` opens: its privilege
 * probes are refused on purpose (ERROR permission denied), and the daily
 * error-log review leaves lines of this application out.
 */
export const VERIFY_APPLICATION_NAME = 'bill-inquiry-verify';

/** One checkable statement of the plan, proven or refuted. */
export interface Check {
  id: string;
  ok: boolean;
  /** Passes, but says something to act on before it fails (e.g. a connection budget the autoscaler could exceed). */
  warn?: boolean;
  detail: string;
}

export interface VerifyContext {
  cfg: Readonly<Config>;
  /** Admin connection to the server (maintenance database). */
  admin: ConnTarget;
  /** Admin client connected to the Bill-Inquiry database. */
  db: pg.Pool;
  serverVersion: number;
  superuser: boolean;
  /** The memory profile the server is configured with (the topology's: HA nodes share the machine). */
  memory: MemoryProfile;
  /** How each login role connects (password from the secret store / env), or why it cannot. */
  roleTarget(role: LoginRole): ConnTarget;
}

/** Runs one check; a thrown error is a failed check with its message, never an aborted verify. */
export async function check(
  id: string,
  fn: () => Promise<{ ok: boolean; warn?: boolean; detail: string }>,
): Promise<Check> {
  try {
    return { id, ...(await fn()) };
  } catch (e) {
    const err = e as { message?: string; code?: string };
    return { id, ok: false, detail: `${err.message ?? String(e)}${err.code ? ` (SQLSTATE ${err.code})` : ''}` };
  }
}

export const pass = (detail: string) => ({ ok: true, detail });
export const fail = (detail: string) => ({ ok: false, detail });
export const expect = (ok: boolean, detail: string) => ({ ok, detail });

/** Runs `fn` as a login role in a transaction that is always rolled back, so probes leave nothing behind. */
export async function asRole<T>(vc: VerifyContext, role: LoginRole, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(vc.cfg, vc.roleTarget(role));
  try {
    await client.query('BEGIN');
    return await fn(client);
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    await client.end().catch(() => {});
  }
}

/** Runs `fn` as a NOLOGIN group role via the admin connection (SET LOCAL ROLE), rolled back. */
export async function asGroup<T>(vc: VerifyContext, role: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(vc.cfg, vc.admin, vc.cfg.database.name);
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL ROLE ${ident(role)}`);
    return await fn(client);
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    await client.end().catch(() => {});
  }
}

/**
 * Proves a statement is refused for lack of privilege (SQLSTATE 42501) — by
 * trying it inside a savepoint, so an unexpected success is rolled back with
 * the surrounding transaction.
 */
export async function denied(
  client: pg.Client,
  sql: string,
  params: unknown[] = [],
): Promise<{ ok: boolean; detail: string }> {
  await client.query('SAVEPOINT probe');
  try {
    await client.query(sql, params);
    await client.query('ROLLBACK TO SAVEPOINT probe');
    return fail(`allowed (must be refused): ${sql}`);
  } catch (e) {
    await client.query('ROLLBACK TO SAVEPOINT probe');
    const err = e as { code?: string; message?: string };
    return err.code === '42501'
      ? pass(`refused: ${err.message}`)
      : fail(`failed for another reason than privileges: ${err.message} (SQLSTATE ${err.code})`);
  }
}

/** Proves a statement is allowed (inside a savepoint; the transaction is rolled back later anyway). */
export async function allowed(
  client: pg.Client,
  sql: string,
  params: unknown[] = [],
): Promise<{ ok: boolean; detail: string }> {
  await client.query('SAVEPOINT probe');
  try {
    const r = await client.query(sql, params);
    await client.query('RELEASE SAVEPOINT probe');
    return pass(`allowed (${r.rowCount ?? 0} row(s)): ${sql}`);
  } catch (e) {
    await client.query('ROLLBACK TO SAVEPOINT probe');
    const err = e as { code?: string; message?: string };
    return fail(`refused: ${err.message} (SQLSTATE ${err.code})`);
  }
}
