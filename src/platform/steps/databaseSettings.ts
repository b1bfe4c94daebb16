import type pg from 'pg';
import { escapeLiteral } from 'pg';
import { aclMap, ident, type StepContext, type AclRow } from '../context.js';
import { desiredAcls } from '../privileges.js';
import { DATABASE_ACL, DATABASE_SETTINGS } from '../sql/catalog.js';
import { reconcileAcl } from './reconcileAcl.js';

/** §4.1 ALTER DATABASE … SET timezone, and who may connect (§4.2, §10.1): the plan's roles, not PUBLIC. */
export async function ensureDatabaseSettings(ctx: StepContext, admin: pg.Client, dbExists: boolean): Promise<void> {
  const db = ctx.cfg.database;
  const settings = dbExists
    ? (await admin.query<{ setting: string }>(DATABASE_SETTINGS, [db.name])).rows.map((r) => r.setting)
    : [];
  const tz = settings.find((s) => s.toLowerCase().startsWith('timezone='))?.split('=')[1];
  if (tz !== db.timezone) {
    await ctx.change(admin, { id: `database:${db.name}:timezone`, action: 'set', detail: db.timezone }, [
      `ALTER DATABASE ${ident(db.name)} SET timezone TO ${escapeLiteral(db.timezone)}`,
    ]);
  }
  const acl = dbExists
    ? aclMap((await admin.query<AclRow>(DATABASE_ACL, [db.name])).rows)
    : new Map([['PUBLIC', new Set(['CONNECT', 'TEMPORARY'])]]);
  await reconcileAcl(
    ctx,
    admin,
    `database:${db.name}`,
    `DATABASE ${ident(db.name)}`,
    acl,
    desiredAcls(ctx.cfg).database,
  );
}
