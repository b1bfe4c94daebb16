import type pg from 'pg';
import { randomBytes } from 'node:crypto';
import { connect } from '../connect.js';
import { ident } from '../context.js';
import { TABLES } from '../schemaManifest.js';
import {
  allowed,
  asGroup,
  asRole,
  check,
  denied,
  expect,
  fail,
  pass,
  type Check,
  type VerifyContext,
} from './check.js';

const WRITE = `INSERT INTO system_config (config_key, config_value) VALUES ('verify.denied', 'x')`;
const UPDATE = `UPDATE system_config SET config_value = config_value`;
const DELETE = `DELETE FROM system_config WHERE config_key = 'verify.none'`;
const DDL = 'CREATE TABLE verify_probe (id int)';

/** Every select on every plan table must work. */
async function readsAll(c: pg.Client): Promise<{ ok: boolean; detail: string }> {
  const failed: string[] = [];
  for (const t of TABLES) if (!(await allowed(c, `SELECT count(*) FROM public.${t}`)).ok) failed.push(t);
  return failed.length ? fail(`cannot read ${failed.join(', ')}`) : pass(`reads all ${TABLES.length} tables`);
}

/** §4.2/§10.1 privileges, each proven by trying as the role itself. */
export async function privilegeChecks(vc: VerifyContext): Promise<Check[]> {
  const r = vc.cfg.database.roles;
  const groupReadOnly = (role: string, name: string) => [
    check(`privilege.${name}.select`, () => asGroup(vc, role, readsAll)),
    check(`privilege.${name}.no-write`, () => asGroup(vc, role, (c) => denied(c, WRITE))),
    check(`privilege.${name}.no-ddl`, () => asGroup(vc, role, (c) => denied(c, DDL))),
  ];
  return Promise.all([
    check('privilege.app.crud-all-tables', () =>
      asRole(vc, 'app', async (c) => {
        const missing = (
          await c.query<{ t: string; p: string }>(
            `SELECT t, p FROM unnest($1::text[]) t, unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE']) p WHERE NOT has_table_privilege(current_user, 'public.' || t, p)`,
            [TABLES],
          )
        ).rows;
        return missing.length
          ? fail(`missing: ${missing.map((m) => `${m.p} ${m.t}`).join(', ')}`)
          : pass('SELECT, INSERT, UPDATE, DELETE on all five tables');
      }),
    ),
    check('privilege.app.sequences', () =>
      asRole(vc, 'app', (c) => allowed(c, `SELECT nextval('public.bill_inquiry_history_id_seq')`)),
    ),
    check('privilege.app.no-create-table', () => asRole(vc, 'app', (c) => denied(c, DDL))),
    check('privilege.app.no-drop-table', () => asRole(vc, 'app', (c) => denied(c, 'DROP TABLE public.system_config'))),
    check('privilege.app.no-alter-table', () =>
      asRole(vc, 'app', (c) => denied(c, 'ALTER TABLE public.system_config ADD COLUMN verify_probe int')),
    ),
    check('privilege.app.no-truncate', () => asRole(vc, 'app', (c) => denied(c, 'TRUNCATE public.system_config'))),
    check('privilege.app.no-create-schema', () => asRole(vc, 'app', (c) => denied(c, 'CREATE SCHEMA verify_probe'))),
    check('privilege.app.no-temp-table', () =>
      asRole(vc, 'app', (c) => denied(c, 'CREATE TEMP TABLE verify_probe (id int)')),
    ),
    check('privilege.readonly.select', () => asRole(vc, 'readonly', readsAll)),
    check('privilege.readonly.no-insert', () => asRole(vc, 'readonly', (c) => denied(c, WRITE))),
    check('privilege.readonly.no-update', () => asRole(vc, 'readonly', (c) => denied(c, UPDATE))),
    check('privilege.readonly.no-delete', () => asRole(vc, 'readonly', (c) => denied(c, DELETE))),
    check('privilege.readonly.no-ddl', () => asRole(vc, 'readonly', (c) => denied(c, DDL))),
    check('privilege.readonly.monitoring', () =>
      asRole(vc, 'readonly', async (c) => {
        // pg_ls_waldir() is reserved to pg_monitor members: the monitoring duty of §4.2's read-only user.
        const res = await allowed(c, 'SELECT count(*) FROM pg_ls_waldir()');
        return expect(res.ok, res.ok ? 'pg_monitor: reads server statistics (pg_ls_waldir)' : res.detail);
      }),
    ),
    check('privilege.backup.read-all', () =>
      asRole(vc, 'backup', async (c) => {
        const rels = (
          await c.query<{ name: string }>(
            `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
          )
        ).rows;
        const failed: string[] = [];
        for (const { name } of rels) if (!(await allowed(c, `SELECT 1 FROM ${name} LIMIT 1`)).ok) failed.push(name);
        return failed.length
          ? fail(`cannot read ${failed.join(', ')}`)
          : pass(`reads all ${rels.length} tables and sequences (pg_read_all_data)`);
      }),
    ),
    check('privilege.backup.no-write', () => asRole(vc, 'backup', (c) => denied(c, WRITE))),
    check('privilege.backup.no-ddl', () => asRole(vc, 'backup', (c) => denied(c, DDL))),
    ...groupReadOnly(r.developer, 'developer'),
    ...groupReadOnly(r.auditor, 'auditor'),
    check('privilege.public.no-create-in-public', async () => {
      const can = (
        await vc.db.query<{ can: boolean }>(`SELECT has_schema_privilege('public', 'public', 'CREATE') AS can`)
      ).rows[0]!.can;
      return expect(
        !can,
        can ? 'PUBLIC may still CREATE in schema public' : 'CREATE ON SCHEMA public revoked from PUBLIC',
      );
    }),
    defaultPrivilegesCheck(vc),
  ]);
}

/** A table created now by the schema owner must come with the plan's grants (§4.2 ALTER DEFAULT PRIVILEGES); it is dropped afterwards. */
function defaultPrivilegesCheck(vc: VerifyContext): Promise<Check> {
  return check('privilege.default-privileges.new-table', async () => {
    const table = `verify_default_${randomBytes(4).toString('hex')}`;
    // Its own session: SET ROLE must not leak into the checks sharing vc.db.
    const admin = await connect(vc.cfg, vc.admin, vc.cfg.database.name);
    try {
      await admin.query(`SET ROLE ${ident(vc.cfg.database.roles.admin)}`);
      await admin.query(`CREATE TABLE public.${table} (id bigserial PRIMARY KEY, v text)`);
      const app = await asRole(vc, 'app', async (c) => [
        await allowed(c, `INSERT INTO public.${table} (v) VALUES ('x')`),
        await denied(c, `DROP TABLE public.${table}`),
      ]);
      const ro = await asRole(vc, 'readonly', async (c) => [
        await allowed(c, `SELECT * FROM public.${table}`),
        await denied(c, `INSERT INTO public.${table} (v) VALUES ('x')`),
      ]);
      const dev = await asGroup(vc, vc.cfg.database.roles.developer, async (c) => [
        await allowed(c, `SELECT * FROM public.${table}`),
      ]);
      const results = [...app, ...ro, ...dev];
      const bad = results.filter((x) => !x.ok);
      return bad.length
        ? fail(bad.map((b) => b.detail).join('; '))
        : pass(
            `fresh table ${table}: app may insert (and use its sequence) but not drop; readonly/developer may only read`,
          );
    } finally {
      await admin.query(`DROP TABLE IF EXISTS public.${table}`).catch(() => {});
      await admin.end().catch(() => {});
    }
  });
}
