import type pg from 'pg';
import { aclMap, type StepContext, type AclRow } from '../context.js';
import { desiredAcls } from '../privileges.js';
import { SCHEMA_ACL } from '../sql/catalog.js';
import { reconcileAcl } from './reconcileAcl.js';

/** Schema public: nobody but the owner role creates objects (REVOKE CREATE … FROM PUBLIC, needed on PG14). */
export async function ensureSchemaAcl(ctx: StepContext, db: pg.Client | undefined): Promise<void> {
  // A database made from template0 on PG14 grants CREATE on public to PUBLIC; PG15+ does not.
  const fresh = new Map([['PUBLIC', new Set(ctx.serverVersion >= 150000 ? ['USAGE'] : ['USAGE', 'CREATE'])]]);
  const acl = db ? aclMap((await db.query<AclRow>(SCHEMA_ACL, ['public'])).rows) : fresh;
  await reconcileAcl(ctx, db, 'schema:public', 'SCHEMA public', acl, desiredAcls(ctx.cfg).schema);
}
