import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';
import { ident, type Queryable, type StepContext } from '../context.js';
import { RELATION_EXISTS } from '../sql/catalog.js';

/** `migrations/` at the package root, from src/platform/steps or dist/platform/steps alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));
const TABLE = 'pgmigrations';

/** Migration names (file name without extension) in the order node-pg-migrate runs them (13-digit ms timestamp prefix). */
export const migrationFiles = (): string[] =>
  readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => path.basename(f, '.sql'));

export async function appliedMigrations(ctx: StepContext, db: Queryable): Promise<string[]> {
  const table = `${ctx.cfg.database.migrationsSchema}.${TABLE}`;
  const exists = (await db.query<{ exists: boolean }>(RELATION_EXISTS, [table])).rows[0]?.exists;
  if (!exists) return [];
  return (
    await db.query<{ name: string }>(
      `SELECT name FROM ${ident(ctx.cfg.database.migrationsSchema)}.${TABLE} ORDER BY run_on, id`,
    )
  ).rows.map((r) => r.name);
}

/**
 * Runs pending SQL migrations through node-pg-migrate as the NOLOGIN schema
 * owner (SET ROLE), so every table belongs to bill_admin, its default
 * privileges apply, and the application role never owns — so can never alter
 * or drop — a table.
 */
export async function runMigrations(ctx: StepContext, db: pg.Client | undefined, upTo?: string): Promise<void> {
  const applied = db ? await appliedMigrations(ctx, db) : [];
  const pending = migrationFiles().filter((m) => !applied.includes(m) && (upTo === undefined || m <= upTo));
  if (!pending.length) return;
  for (const name of pending) await ctx.change(undefined, { id: `migration:${name}`, action: 'run' }, []);
  if (ctx.dryRun || !db) return;
  await db.query(`SET ROLE ${ident(ctx.cfg.database.roles.admin)}`);
  try {
    await runner({
      dbClient: db,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: TABLE,
      migrationsSchema: ctx.cfg.database.migrationsSchema,
      createMigrationsSchema: true,
      schema: 'public',
      singleTransaction: true,
      count: pending.length,
      checkOrder: true,
      logger: {
        debug: () => {},
        info: (m: string) => ctx.progress(m),
        warn: (m: string) => ctx.warn(m),
        error: (m: string) => ctx.warn(m),
      },
    });
  } finally {
    await db.query('RESET ROLE');
  }
}
