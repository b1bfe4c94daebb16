import { check, expect, pass, type Check, type VerifyContext } from './check.js';

/** §4.1 extensions; §5.1 pg_stat_statements preloaded; §10.3 pgaudit where the server has it. */
export async function extensionChecks(vc: VerifyContext): Promise<Check[]> {
  const installed = new Map(
    (
      await vc.db.query<{ extname: string; extversion: string }>('SELECT extname, extversion FROM pg_extension')
    ).rows.map((r) => [r.extname, r.extversion]),
  );
  const preload = (
    await vc.db.query<{ v: string }>(`SELECT current_setting('shared_preload_libraries') AS v`)
  ).rows[0]!.v.split(',').map((s) => s.trim());
  return Promise.all([
    ...vc.cfg.database.extensions.map((ext) =>
      check(`extension.${ext}`, async () =>
        expect(installed.has(ext), installed.has(ext) ? `version ${installed.get(ext)}` : 'not installed'),
      ),
    ),
    check('extension.pg_stat_statements.preloaded', async () => {
      if (!preload.includes('pg_stat_statements'))
        return expect(false, `shared_preload_libraries = ${preload.join(',')}`);
      const n = (await vc.db.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_statements')).rows[0]!.n;
      return pass(`preloaded and collecting (${n} statements tracked)`);
    }),
    check('extension.pgaudit', async () => {
      const available =
        (await vc.db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'pgaudit'`)).rowCount! > 0;
      if (!available)
        return pass(
          'pgaudit is not installed for this server (e.g. embedded binaries): §10.3 audit relies on log_statement=all',
        );
      if (!vc.cfg.server.pgaudit.enabled) return pass('pgaudit installed but disabled by server.pgaudit.enabled=false');
      if (!preload.includes('pgaudit'))
        return expect(false, 'pgaudit is installed but not in shared_preload_libraries');
      const log = (await vc.db.query<{ v: string }>(`SELECT current_setting('pgaudit.log') AS v`)).rows[0]!.v;
      return expect(
        log === vc.cfg.server.pgaudit.log,
        `loaded; pgaudit.log = ${log} (plan: ${vc.cfg.server.pgaudit.log})`,
      );
    }),
  ]);
}
