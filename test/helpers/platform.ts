import pg from 'pg';
import type { LocalInstance } from '../../src/cluster/local/localCluster.js';
import type { Config, ConfigInput } from '../../src/config/schema.js';
import { clientConfig } from '../../src/db/connection.js';
import { applyDatabase, type ApplyResult } from '../../src/platform/apply.js';
import { roleTarget, type LoginRole } from '../../src/platform/roleTargets.js';
import { startTempCluster, type TempCluster } from './tempCluster.js';

/** A temp cluster with the Bill-Inquiry database applied on it. */
export async function appliedCluster(
  overrides: ConfigInput = {},
  now?: Date,
): Promise<TempCluster & { apply: ApplyResult }> {
  const c = await startTempCluster({ overrides });
  const apply = await applyDatabase(c.cfg, c.primary.target(), now ? { now } : {});
  return { ...c, apply };
}

/** Runs `fn` with a client logged in as a login role (TLS, SCRAM), closed afterwards. */
export async function asLogin<T>(
  cfg: Readonly<Config>,
  primary: LocalInstance,
  role: LoginRole,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client(clientConfig(roleTarget(cfg, role, primary.target())));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The SQLSTATE a statement fails with, or 'ok'. */
export async function sqlState(client: pg.Client, sql: string, params: unknown[] = []): Promise<string> {
  try {
    await client.query(sql, params);
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? 'error';
  }
}
