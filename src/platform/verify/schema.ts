import { systemConfigRows } from '../../config/systemConfigTable.js';
import { attachedPartitions, historyTables } from '../partitions.js';
import { DEFAULTS, INDEXES, TABLES } from '../schemaManifest.js';
import { COLUMN_COMMENTS, COLUMN_DEFAULTS } from '../sql/catalog.js';
import { appliedMigrations, migrationFiles } from '../steps/migrations.js';
import { relationAcls } from '../steps/relationAcls.js';
import { StepContext } from '../context.js';
import { MONTHS_AROUND } from '../sql/partitions.js';
import { check, expect, fail, pass, type Check, type VerifyContext } from './check.js';

/** §6.2: tables, indexes, active configuration; plus migrations, partitioning, ownership, comments and defaults. */
export async function schemaChecks(vc: VerifyContext): Promise<Check[]> {
  const tables = (
    await vc.db.query<{ table_name: string; table_type: string }>(
      `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    )
  ).rows;
  const indexes = new Map(
    (
      await vc.db.query<{ indexname: string; tablename: string }>(
        `SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public'`,
      )
    ).rows.map((r) => [r.indexname, r.tablename]),
  );
  const comments = (
    await vc.db.query<{ table_name: string; column_name: string | null; comment: string | null }>(COLUMN_COMMENTS, [
      [...TABLES],
    ])
  ).rows;
  const defaults = (await vc.db.query<{ table_name: string; column_name: string; def: string | null }>(COLUMN_DEFAULTS))
    .rows;
  return Promise.all([
    ...TABLES.map((t) =>
      check(`schema.comments.${t}`, async () => {
        const rows = comments.filter((r) => r.table_name === t);
        const missing = rows.filter((r) => !r.comment?.trim()).map((r) => r.column_name ?? '(the table)');
        return rows.length === 0
          ? fail(`${t} is missing`)
          : missing.length
            ? fail(`no COMMENT ON ${missing.join(', ')}`)
            : pass(`the table and its ${rows.length - 1} columns are described`);
      }),
    ),
    ...DEFAULTS.map(({ table, column, value }) =>
      check(`schema.default.${table}.${column}`, async () => {
        const def = defaults.find((d) => d.table_name === table && d.column_name === column)?.def;
        return expect(def?.startsWith(value) ?? false, `DEFAULT ${def ?? 'none'} (expected ${value})`);
      }),
    ),
    ...TABLES.map((t) =>
      check(`schema.table.${t}`, async () => {
        const row = tables.find((r) => r.table_name === t);
        return expect(row?.table_type === 'BASE TABLE', row ? `${t} (${row.table_type})` : `${t} is missing`);
      }),
    ),
    ...Object.entries(INDEXES).map(([name, table]) =>
      check(`schema.index.${name}`, async () =>
        expect(
          indexes.get(name) === table,
          indexes.has(name) ? `on ${indexes.get(name)}` : `missing (expected on ${table})`,
        ),
      ),
    ),
    check('schema.migrations', async () => {
      const applied = await appliedMigrations(new StepContext(vc.cfg, true, vc.serverVersion), vc.db);
      const pending = migrationFiles().filter((m) => !applied.includes(m));
      return expect(
        pending.length === 0,
        pending.length
          ? `pending: ${pending.join(', ')}`
          : `all ${applied.length} applied (${vc.cfg.database.migrationsSchema}.pgmigrations)`,
      );
    }),
    check('schema.partitioned', async () => {
      const r = (
        await vc.db.query<{ relname: string; key: string }>(
          `SELECT c.relname, pg_get_partkeydef(c.oid) AS key FROM pg_class c WHERE c.oid IN (to_regclass('public.bill_inquiry_history'), to_regclass('public.kos_inquiry_history'))`,
        )
      ).rows;
      const ok = r.length === 2 && r.every((x) => x.key === 'RANGE (request_time)');
      return expect(ok, r.map((x) => `${x.relname}: ${x.key}`).join('; ') || 'history tables missing');
    }),
    check('schema.kos-fk-cascade', async () => {
      const r = (
        await vc.db.query<{ def: string }>(
          `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = to_regclass('public.kos_inquiry_history') AND contype = 'f' AND conparentid = 0`,
        )
      ).rows;
      const ok = r.some((x) =>
        /REFERENCES bill_inquiry_history\(request_id, request_time\) ON DELETE CASCADE/.test(x.def),
      );
      return expect(ok, r.map((x) => x.def).join('; ') || 'no foreign key on kos_inquiry_history');
    }),
    ...historyTables(vc.cfg).map(({ table }) =>
      check(`schema.partitions-ahead.${table}`, async () => {
        const months = (
          await vc.db.query<{ suffix: string; lower_bound: Date }>(MONTHS_AROUND, [
            new Date(),
            vc.cfg.database.timezone,
            0,
            vc.cfg.database.retention.partitionsAhead,
          ])
        ).rows;
        const have = new Set((await attachedPartitions(vc.db, table)).map((p) => p.lower.getTime()));
        const missing = months.filter((m) => !have.has(m.lower_bound.getTime())).map((m) => m.suffix);
        return missing.length
          ? fail(`no partition for ${missing.join(', ')}`)
          : pass(`current month and ${months.length - 1} ahead: ${months.map((m) => m.suffix).join(', ')}`);
      }),
    ),
    check('schema.owner', async () => {
      const wrong = (await relationAcls(vc.db)).filter((r) => r.owner !== vc.cfg.database.roles.admin);
      return wrong.length
        ? fail(
            `not owned by ${vc.cfg.database.roles.admin}: ${wrong.map((r) => `${r.relname} (${r.owner})`).join(', ')}`,
          )
        : pass(`every table and sequence belongs to ${vc.cfg.database.roles.admin} (NOLOGIN)`);
    }),
    check('schema.system_config.active', async () => {
      const rows = (
        await vc.db.query<{ config_key: string; config_value: string }>(
          'SELECT config_key, config_value FROM system_config WHERE is_active = true ORDER BY config_key',
        )
      ).rows;
      const keys = new Set(rows.map((r) => r.config_key));
      const missing = systemConfigRows(vc.cfg.systemConfig, vc.cfg.database.retention)
        .filter((s) => !keys.has(s.key))
        .map((s) => s.key);
      return missing.length
        ? fail(`missing or inactive: ${missing.join(', ')}`)
        : pass(`${rows.length} active rows: ${rows.map((r) => `${r.config_key}=${r.config_value}`).join(', ')}`);
    }),
  ]);
}
