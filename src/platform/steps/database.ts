import type pg from 'pg';
import { escapeLiteral } from 'pg';
import { BillInquiryError } from '../../errors.js';
import { ident, type Queryable, type StepContext } from '../context.js';
import { databaseInfo } from '../sql/catalog.js';

export interface DatabaseInfo {
  datname: string;
  encoding: string;
  datcollate: string;
  datctype: string;
  provider: string;
  icu_locale: string | null;
}

/** `en_US.UTF-8` and `en_US.utf8` name the same locale. */
export const sameLocale = (a: string, b: string): boolean =>
  a.toLowerCase().replace(/utf-?8/, 'utf8') === b.toLowerCase().replace(/utf-?8/, 'utf8');

export async function readDatabase(
  client: Queryable,
  name: string,
  version: number,
): Promise<DatabaseInfo | undefined> {
  return (await client.query<DatabaseInfo>(databaseInfo(version), [name])).rows[0];
}

/**
 * §4.1: CREATE DATABASE … UTF8, en_US.UTF-8, TEMPLATE template0. When the
 * server's OS lacks the locale: the ICU equivalent (database.localeFallback
 * = icu, reported as a warning) or a refusal that says how to add it —
 * never a silent substitute.
 */
export async function ensureDatabase(ctx: StepContext, admin: pg.Client): Promise<{ exists: boolean }> {
  const db = ctx.cfg.database;
  const found = await readDatabase(admin, db.name, ctx.serverVersion);
  if (found) {
    reportExisting(ctx, found);
    return { exists: true };
  }
  const base = `CREATE DATABASE ${ident(db.name)} WITH ENCODING ${escapeLiteral(db.encoding)} TEMPLATE template0`;
  const libc = `${base} LC_COLLATE ${escapeLiteral(db.locale)} LC_CTYPE ${escapeLiteral(db.locale)}`;
  if (ctx.dryRun) {
    await ctx.change(
      undefined,
      { id: `database:${db.name}`, action: 'create', detail: `${db.encoding}, ${db.locale}, template0` },
      [],
    );
    return { exists: false };
  }
  try {
    await admin.query(libc);
    await ctx.change(
      undefined,
      { id: `database:${db.name}`, action: 'create', detail: `${db.encoding}, ${db.locale}, template0` },
      [],
    );
  } catch (e) {
    if (!isMissingLocale(e)) throw e;
    await createWithIcu(ctx, admin, base);
  }
  return { exists: true };
}

function isMissingLocale(e: unknown): boolean {
  // SQLSTATE varies by version (22023, 42809); the message does not.
  return /invalid (LC_\w+ )?locale name/i.test((e as { message?: string }).message ?? '');
}

async function createWithIcu(ctx: StepContext, admin: pg.Client, base: string): Promise<void> {
  const db = ctx.cfg.database;
  const howToAdd = `add it on the database server (Debian/Ubuntu: echo "${db.locale} UTF-8" >> /etc/locale.gen && locale-gen), restart PostgreSQL and re-run`;
  if (db.localeFallback === 'error') {
    throw new BillInquiryError(
      'LOCALE_MISSING',
      `OS locale "${db.locale}" is not installed on the database server`,
      `${howToAdd}; or set database.localeFallback to "icu"`,
    );
  }
  if (ctx.serverVersion < 150000) {
    throw new BillInquiryError(
      'LOCALE_MISSING',
      `OS locale "${db.locale}" is missing and PostgreSQL ${Math.floor(ctx.serverVersion / 10000)} cannot use an ICU database locale`,
      howToAdd,
    );
  }
  // LC_COLLATE/LC_CTYPE 'C' always exist; sorting and case rules come from ICU.
  await admin.query(
    `${base} LOCALE_PROVIDER icu ICU_LOCALE ${escapeLiteral(db.icuLocale)} LC_COLLATE 'C' LC_CTYPE 'C'`,
  );
  await ctx.change(
    undefined,
    {
      id: `database:${db.name}`,
      action: 'create (ICU locale fallback)',
      detail: `${db.encoding}, ICU ${db.icuLocale} instead of missing OS locale ${db.locale}`,
    },
    [],
  );
  ctx.warn(
    `OS locale ${db.locale} is missing on the server: ${db.name} uses the ICU locale ${db.icuLocale} instead (${howToAdd} to use the OS locale)`,
  );
}

/** An existing database cannot change encoding or locale: say so instead of pretending. */
function reportExisting(ctx: StepContext, d: DatabaseInfo): void {
  const db = ctx.cfg.database;
  if (d.encoding !== db.encoding)
    ctx.warn(`${db.name} has encoding ${d.encoding}, plan §4.1 wants ${db.encoding}: recreate the database to fix`);
  if (d.provider === 'i') {
    ctx.warn(`${db.name} uses the ICU locale ${d.icu_locale} (fallback for the missing OS locale ${db.locale})`);
  } else if (!sameLocale(d.datcollate, db.locale) || !sameLocale(d.datctype, db.locale)) {
    ctx.warn(
      `${db.name} has collation ${d.datcollate}/ctype ${d.datctype}, plan §4.1 wants ${db.locale}: recreate the database to fix`,
    );
  }
}
