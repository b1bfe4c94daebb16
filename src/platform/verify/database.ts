import { readDatabase, sameLocale } from '../steps/database.js';
import { asRole, check, expect, fail, pass, type Check, type VerifyContext } from './check.js';

/** §4.1: encoding, collation, ctype, timezone; only the plan's roles may connect. */
export async function databaseChecks(vc: VerifyContext): Promise<Check[]> {
  const db = vc.cfg.database;
  const info = await readDatabase(vc.db, db.name, vc.serverVersion);
  const icu = info?.provider === 'i';
  const localeCheck = (value: string | undefined) =>
    icu
      ? expect(
          db.localeFallback === 'icu',
          `ICU locale ${info?.icu_locale} (fallback: OS locale ${db.locale} is missing on the server)`,
        )
      : expect(Boolean(value && sameLocale(value, db.locale)), `${value} (plan: ${db.locale})`);
  return Promise.all([
    check('database.exists', async () => expect(Boolean(info), info ? `${db.name} exists` : `${db.name} is missing`)),
    check('database.encoding', async () =>
      expect(info?.encoding === db.encoding, `${info?.encoding} (plan: ${db.encoding})`),
    ),
    check('database.collation', async () => localeCheck(info?.datcollate)),
    check('database.ctype', async () => localeCheck(info?.datctype)),
    check('database.timezone', () =>
      asRole(vc, 'app', async (c) => {
        const tz = (await c.query<{ tz: string }>('SELECT current_setting($1) AS tz', ['TimeZone'])).rows[0]?.tz;
        return expect(
          tz === db.timezone,
          `a new session of ${vc.cfg.database.roles.app} gets TimeZone=${tz} (plan: ${db.timezone})`,
        );
      }),
    ),
    check('database.public-cannot-connect', async () => {
      const r = (
        await vc.db.query<{ connect: boolean; temp: boolean }>(
          `SELECT has_database_privilege('public', $1, 'CONNECT') AS connect, has_database_privilege('public', $1, 'TEMPORARY') AS temp`,
          [db.name],
        )
      ).rows[0]!;
      return r.connect || r.temp
        ? fail(`PUBLIC still has ${r.connect ? 'CONNECT ' : ''}${r.temp ? 'TEMPORARY' : ''}`)
        : pass('PUBLIC has neither CONNECT nor TEMPORARY');
    }),
  ]);
}
