import type pg from 'pg';
import { ident, type StepContext } from '../context.js';
import { EXTENSIONS } from '../sql/catalog.js';

/** §4.1 extensions, created by the admin connection (pg_stat_statements needs superuser rights). */
export async function ensureExtensions(ctx: StepContext, db: pg.Client | undefined): Promise<void> {
  const have = new Set(db ? (await db.query<{ extname: string }>(EXTENSIONS)).rows.map((r) => r.extname) : []);
  for (const ext of ctx.cfg.database.extensions.filter((e) => !have.has(e))) {
    await ctx.change(db, { id: `extension:${ext}`, action: 'create' }, [
      `CREATE EXTENSION IF NOT EXISTS ${ident(ext)}`,
    ]);
  }
}
