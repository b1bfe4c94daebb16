import type pg from 'pg';
import { grantee, type StepContext } from '../context.js';
import { aclDiff, type AclSpec } from '../privileges.js';

/**
 * Brings one object's ACL to exactly `wanted` for the grantees it names:
 * grants what is missing, revokes what is extra. `object` is SQL such as
 * `DATABASE "bill_inquiry_db"` or `TABLE public."system_config"`.
 */
export async function reconcileAcl(
  ctx: StepContext,
  client: pg.Client | undefined,
  id: string,
  object: string,
  actual: Map<string, Set<string>>,
  wanted: AclSpec,
): Promise<void> {
  for (const d of aclDiff(actual, wanted)) {
    const statements = [
      ...(d.revoke.length ? [`REVOKE ${d.revoke.join(', ')} ON ${object} FROM ${grantee(d.grantee)}`] : []),
      ...(d.grant.length ? [`GRANT ${d.grant.join(', ')} ON ${object} TO ${grantee(d.grantee)}`] : []),
    ];
    const detail = [
      d.grant.length ? `grant ${d.grant.join(',')}` : '',
      d.revoke.length ? `revoke ${d.revoke.join(',')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    await ctx.change(client, { id: `${id}:${d.grantee}`, action: 'privileges', detail }, statements);
  }
}
