import type pg from 'pg';
import { ident, aclMap, grantee, type StepContext } from '../context.js';
import { aclDiff, desiredAcls, type AclSpec } from '../privileges.js';
import { DEFAULT_ACL } from '../sql/catalog.js';

/**
 * §4.2 ALTER DEFAULT PRIVILEGES, scoped FOR ROLE bill_admin: defaults apply
 * to objects the named role creates, and every schema object is created by
 * bill_admin (migrations and partition maintenance SET ROLE to it).
 */
export async function ensureDefaultPrivileges(ctx: StepContext, db: pg.Client | undefined): Promise<void> {
  const owner = ctx.cfg.database.roles.admin;
  const rows = db
    ? (await db.query<{ objtype: string; grantee: string; privilege: string }>(DEFAULT_ACL, [owner, 'public'])).rows
    : [];
  const wanted = desiredAcls(ctx.cfg);
  const kinds: Array<{ objtype: string; noun: string; spec: AclSpec }> = [
    { objtype: 'r', noun: 'TABLES', spec: wanted.table },
    { objtype: 'S', noun: 'SEQUENCES', spec: wanted.sequence },
  ];
  for (const k of kinds) {
    const actual = aclMap(rows.filter((r) => r.objtype === k.objtype));
    for (const d of aclDiff(actual, k.spec)) {
      const prefix = `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(owner)} IN SCHEMA public`;
      const statements = [
        ...(d.revoke.length ? [`${prefix} REVOKE ${d.revoke.join(', ')} ON ${k.noun} FROM ${grantee(d.grantee)}`] : []),
        ...(d.grant.length ? [`${prefix} GRANT ${d.grant.join(', ')} ON ${k.noun} TO ${grantee(d.grantee)}`] : []),
      ];
      const detail = [
        d.grant.length ? `grant ${d.grant.join(',')}` : '',
        d.revoke.length ? `revoke ${d.revoke.join(',')}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      await ctx.change(
        db,
        { id: `default-privileges:${k.noun.toLowerCase()}:${d.grantee}`, action: 'privileges', detail },
        statements,
      );
    }
  }
}
