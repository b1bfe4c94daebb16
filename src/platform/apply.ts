import type pg from 'pg';
import type { Config } from '../config/schema.js';
import type { ConnTarget } from '../db/connection.js';
import { connect, stepError } from './connect.js';
import { StepContext, type Change } from './context.js';
import { RELATION_EXISTS, SERVER_VERSION } from './sql/catalog.js';
import { ensureDatabase } from './steps/database.js';
import { ensureDatabaseSettings } from './steps/databaseSettings.js';
import { ensureDefaultPrivileges } from './steps/defaultPrivileges.js';
import { ensureExtensions } from './steps/extensions.js';
import { runMigrations } from './steps/migrations.js';
import { ensurePartitions } from './steps/partitions.js';
import { ensureRelationAcls } from './steps/relationAcls.js';
import { ensureRoles } from './steps/roles.js';
import { ensureSchemaAcl } from './steps/schemaAcl.js';
import { seedSystemConfig } from './steps/seed.js';

export type { Change } from './context.js';

export interface ApplyOptions {
  /** Report what would change without changing anything (`db plan`). */
  dryRun?: boolean;
  onProgress?: (msg: string) => void;
  /** The moment partitions are laid out around (tests move it). */
  now?: Date;
  /** Run migrations only up to this one (tests recreate the database of an earlier version). */
  migrateUpTo?: string;
}

export interface ApplyResult {
  ok: true;
  dryRun: boolean;
  database: string;
  server: { host: string; port: number; version: number };
  /** Empty when the database already matches the plan: apply is idempotent. */
  changes: Change[];
  /** Things apply cannot or will not fix by itself (e.g. ICU locale fallback), always shown. */
  warnings: string[];
}

/**
 * Makes the database on `admin`'s server match the plan (§4, §6, §10):
 * database, roles, privileges, extensions, schema migrations, partitions and
 * seed data. Each step inspects first and changes only what differs.
 */
export async function applyDatabase(
  cfg: Readonly<Config>,
  admin: ConnTarget,
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  const server = await connect(cfg, admin);
  let db: pg.Client | undefined;
  try {
    const { version, superuser } = (await server.query<{ version: number; superuser: boolean }>(SERVER_VERSION))
      .rows[0]!;
    const ctx = new StepContext(cfg, opts.dryRun ?? false, version, opts.onProgress, admin);
    const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (e) {
        throw stepError(name, e);
      }
    };
    const { exists } = await step('database', () => ensureDatabase(ctx, server));
    await step('roles', () => ensureRoles(ctx, server, superuser));
    await step('database settings', () => ensureDatabaseSettings(ctx, server, exists));
    if (exists) db = await connect(cfg, admin, cfg.database.name);
    await step('extensions', () => ensureExtensions(ctx, db));
    await step('schema privileges', () => ensureSchemaAcl(ctx, db));
    // Before migrations, so new tables get their grants as they are created.
    await step('default privileges', () => ensureDefaultPrivileges(ctx, db));
    await step('migrations', () => runMigrations(ctx, db, opts.migrateUpTo));
    const tablesExist = db
      ? Boolean((await db.query<{ exists: boolean }>(RELATION_EXISTS, ['public.system_config'])).rows[0]?.exists)
      : false;
    await step('partitions', () => ensurePartitions(ctx, db, tablesExist, opts.now ?? new Date()));
    await step('table privileges', () => ensureRelationAcls(ctx, db));
    await step('seed', () => seedSystemConfig(ctx, db, tablesExist));
    return {
      ok: true,
      dryRun: ctx.dryRun,
      database: cfg.database.name,
      server: { host: admin.host, port: admin.port, version },
      changes: ctx.changes,
      warnings: ctx.warnings,
    };
  } finally {
    await db?.end().catch(() => {});
    await server.end().catch(() => {});
  }
}
