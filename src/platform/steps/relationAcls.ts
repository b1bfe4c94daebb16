import type pg from 'pg';
import { aclMap, ident, type Queryable, type StepContext } from '../context.js';
import { desiredAcls } from '../privileges.js';
import { RELATION_ACLS } from '../sql/catalog.js';
import { reconcileAcl } from './reconcileAcl.js';

export interface RelationAclRow {
  relname: string;
  relkind: string;
  owner: string;
  grantee: string | null;
  privilege: string | null;
}

/** Rows of RELATION_ACLS grouped per relation. */
export async function relationAcls(db: Queryable, schema = 'public') {
  const rows = (await db.query<RelationAclRow>(RELATION_ACLS, [schema])).rows;
  const byName = new Map<string, { relname: string; relkind: string; owner: string; acl: Map<string, Set<string>> }>();
  for (const r of rows) {
    if (!byName.has(r.relname))
      byName.set(r.relname, { relname: r.relname, relkind: r.relkind, owner: r.owner, acl: new Map() });
  }
  for (const rel of byName.values()) rel.acl = aclMap(rows.filter((r) => r.relname === rel.relname));
  return [...byName.values()];
}

/**
 * §4.2 GRANT … ON ALL TABLES / SEQUENCES IN SCHEMA public, kept exact on every
 * existing relation (partitions included, so direct partition access obeys the
 * same rules), and ownership by the schema owner role.
 */
export async function ensureRelationAcls(ctx: StepContext, db: pg.Client | undefined): Promise<void> {
  if (!db) return;
  const wanted = desiredAcls(ctx.cfg);
  const owner = ctx.cfg.database.roles.admin;
  for (const rel of await relationAcls(db)) {
    const isSeq = rel.relkind === 'S';
    const object = `${isSeq ? 'SEQUENCE' : 'TABLE'} public.${ident(rel.relname)}`;
    if (rel.owner !== owner) {
      await ctx.change(
        db,
        { id: `relation:${rel.relname}:owner`, action: 'alter', detail: `owner ${rel.owner} → ${owner}` },
        [`ALTER ${isSeq ? 'SEQUENCE' : 'TABLE'} public.${ident(rel.relname)} OWNER TO ${ident(owner)}`],
      );
    }
    await reconcileAcl(ctx, db, `relation:${rel.relname}`, object, rel.acl, isSeq ? wanted.sequence : wanted.table);
  }
}
