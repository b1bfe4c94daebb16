import pg from 'pg';
import { clientConfig, type ConnTarget } from '../db/connection.js';
import type { Topology } from '../topology/types.js';
import type { LoadDriver } from './loadDriver.js';
import { FAILOVER_IDS, FAILOVER_INSERT, FAILOVER_TABLE_SETUP } from './sql.js';

/** Budget (ms) for one write's connect and statement: a write fails fast instead of hanging. */
const CONNECT_TIMEOUT_MS = 1000;
const QUERY_TIMEOUT_MS = 2000;

/**
 * Writes straight to PostgreSQL through the Patroni locator (one connection
 * per writer, dropped and re-located after any error) — the drill without the
 * service, for clusters the service does not run against.
 */
export async function directLoad(topology: Topology): Promise<LoadDriver> {
  const locator = topology.locator;
  const target = async (): Promise<ConnTarget> => ({
    ...(await topology.admin('postgres')),
    applicationName: 'bill-inquiry-drill',
  });
  await withClient(await target(), (c) => c.query(FAILOVER_TABLE_SETUP));
  const clients = new Map<number, pg.Client>();
  let nextId = 1;
  return {
    description: 'direct INSERTs through the Patroni locator (synchronous_commit on)',
    async attempt(writer) {
      const id = nextId++;
      try {
        let c = clients.get(writer);
        if (!c) clients.set(writer, (c = await connect(await target())));
        await c.query(FAILOVER_INSERT, [id]);
        return String(id);
      } catch (e) {
        await clients
          .get(writer)
          ?.end()
          .catch(() => undefined);
        clients.delete(writer);
        locator.invalidate?.();
        throw e;
      }
    },
    async lost(acknowledged) {
      const present = new Set(
        (await withClient(await target(), (c) => c.query<{ id: string }>(FAILOVER_IDS))).rows.map((r) => String(r.id)),
      );
      return acknowledged.filter((id) => !present.has(id)).length;
    },
    // A direct write is acknowledged only after its synchronous commit: acknowledged is persisted.
    persisted: async (ids) => ids.length > 0,
    async close() {
      await Promise.all([...clients.values()].map((c) => c.end().catch(() => undefined)));
    },
  };
}

async function connect(t: ConnTarget): Promise<pg.Client> {
  const client = new pg.Client(
    clientConfig(t, { connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS }),
  );
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export async function withClient<T>(t: ConnTarget, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await connect(t);
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
