import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { libpqEnv } from '../../db/connection.js';
import { run } from '../../system/run.js';
import { check, expect, pass, type Check, type VerifyContext } from './check.js';

const PG_LIB = '/usr/lib/postgresql';

/** A pg_dump at least as new as the server (pg_dump refuses newer servers), or undefined. */
function findPgDump(serverMajor: number): string | undefined {
  if (!existsSync(PG_LIB)) return undefined;
  const majors = readdirSync(PG_LIB)
    .map(Number)
    .filter((v) => v >= serverMajor)
    .sort((a, b) => b - a);
  return majors.map((v) => path.join(PG_LIB, String(v), 'bin', 'pg_dump')).find(existsSync);
}

/** The backup role's reason to exist: a full pg_dump succeeds with its privileges alone. */
export async function pgDumpChecks(vc: VerifyContext): Promise<Check[]> {
  return [
    await check('privilege.backup.pg_dump', async () => {
      const pgDump = findPgDump(Math.floor(vc.serverVersion / 10000));
      if (!pgDump)
        return pass(
          `no pg_dump ≥ ${Math.floor(vc.serverVersion / 10000)} on this machine to try; privilege.backup.read-all proves the reads it needs`,
        );
      const r = await run(pgDump, ['--format=custom', '--file=/dev/null', '--no-sync', '--no-password'], {
        env: libpqEnv(vc.roleTarget('backup')),
      });
      return expect(
        r.code === 0,
        `pg_dump of ${vc.cfg.database.name} as ${vc.cfg.database.roles.backup}: exit ${r.code}`,
      );
    }),
  ];
}
