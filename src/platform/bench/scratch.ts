import { randomBytes } from 'node:crypto';
import type { Config } from '../../config/schema.js';
import type { ConnTarget } from '../../db/connection.js';
import { BillInquiryError } from '../../errors.js';
import { withClient } from '../connect.js';

/**
 * The scratch database of `db bench`: created by the admin connection, owned by
 * it, reachable only by the app role (CONNECT revoked from PUBLIC), whose one
 * extra right is CREATE on that database's `public` schema — so pgbench can
 * create its tables as the app role while the production database, its schema
 * and the role's grants there stay untouched. Dropped with everything in it
 * afterwards; nothing the app role gains outlives the run.
 */
export const SCRATCH_PREFIX = 'bill_inquiry_bench_';
/** Leftovers of a run that was killed (SIGKILL, power loss) are dropped after this long, when nobody uses them. */
const STALE_AFTER_S = 3600;

const scratchName = (now = Date.now()) =>
  `${SCRATCH_PREFIX}${Math.floor(now / 1000)}_${randomBytes(3).toString('hex')}`;

const scratchError = (what: string, e: unknown) =>
  new BillInquiryError(
    'BENCH_SCRATCH',
    `${what}: ${(e as Error).message}${(e as { code?: string }).code ? ` (SQLSTATE ${(e as { code?: string }).code})` : ''}`,
    'the admin connection needs CREATEDB (db apply needs it too); drop leftovers named bill_inquiry_bench_* by hand',
    { cause: e },
  );

/** Creates the scratch database and grants the app role what pgbench needs there; returns its name. */
export async function createScratch(cfg: Readonly<Config>, admin: ConnTarget): Promise<string> {
  const name = scratchName();
  const role = cfg.database.roles.app;
  try {
    await withClient(cfg, admin, admin.database, async (c) => {
      const db = c.escapeIdentifier(name);
      await c.query(`CREATE DATABASE ${db} TEMPLATE template0 ENCODING 'UTF8'`);
      await c.query(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`);
      await c.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${c.escapeIdentifier(role)}`);
    });
    await withClient(cfg, admin, name, (c) =>
      c.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${c.escapeIdentifier(role)}`),
    );
  } catch (e) {
    await dropScratch(cfg, admin, name).catch(() => undefined);
    throw e instanceof BillInquiryError ? e : scratchError(`cannot create the scratch database ${name}`, e);
  }
  return name;
}

/** Drops a scratch database, disconnecting whoever still uses it (pgbench killed mid-run). */
export async function dropScratch(cfg: Readonly<Config>, admin: ConnTarget, name: string): Promise<void> {
  if (!name.startsWith(SCRATCH_PREFIX)) throw new Error(`refusing to drop ${name}: not a scratch database`);
  try {
    await withClient(cfg, admin, admin.database, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`),
    );
  } catch (e) {
    throw e instanceof BillInquiryError ? e : scratchError(`cannot drop the scratch database ${name}`, e);
  }
}

/**
 * Drops scratch databases a killed run left behind: older than an hour (by the
 * time in their name) and with nobody connected (DROP without FORCE fails on a
 * database in use, so a run in progress elsewhere is never disturbed).
 */
export async function dropStaleScratch(cfg: Readonly<Config>, admin: ConnTarget, now = Date.now()): Promise<string[]> {
  return withClient(cfg, admin, admin.database, async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname`,
      [`${SCRATCH_PREFIX}%`],
    );
    const dropped: string[] = [];
    for (const { datname } of rows) {
      const created = Number(/^bill_inquiry_bench_(\d+)_/.exec(datname)?.[1] ?? 0);
      if (now / 1000 - created < STALE_AFTER_S) continue;
      try {
        await c.query(`DROP DATABASE ${c.escapeIdentifier(datname)}`);
        dropped.push(datname);
      } catch {
        // in use: another run's, or someone is looking at it
      }
    }
    return dropped;
  });
}
