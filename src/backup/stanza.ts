import { rmSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import { poll } from '../system/poll.js';
import { backupPaths, pgbackrestBinary } from './paths.js';
import { backupInfo } from './info.js';
import { pgbackrest, writePgbackrestConf } from './pgbackrest.js';

/**
 * Writes pgbackrest.conf before the servers start so their archive_command
 * has a config; returns whether WAL archiving is on.
 */
export async function prepareArchiving(cfg: Readonly<Config>): Promise<boolean> {
  if (!cfg.backup.walArchiving || !pgbackrestBinary()) return false;
  await writePgbackrestConf(cfg);
  return true;
}

/** pgBackRest repo status codes meaning "the stanza was never created here". */
const MISSING_STANZA = new Set([1, 3]);

/**
 * stanza-create where a repository lacks the stanza (first `cluster up`, a new
 * repo). Skipped otherwise: it would contend with the async archiver's lock.
 */
export async function ensureStanza(cfg: Readonly<Config>): Promise<void> {
  const info = await backupInfo(cfg);
  if (info.repos.length && !info.repos.some((r) => MISSING_STANZA.has(r.code))) return;
  // The async archiver may hold the stanza lock for a moment (WAL written since the server
  // started): wait for it rather than fail the whole `cluster up`.
  let locked: unknown;
  let fatal: Error | undefined;
  const created = await poll(
    async () => {
      try {
        await pgbackrest(cfg, ['stanza-create']);
        return true;
      } catch (e) {
        if (/unable to acquire lock/.test(errorMessage(e))) locked = e;
        else fatal = e instanceof Error ? e : new Error(String(e));
        return false;
      }
    },
    { timeoutMs: STANZA_LOCK_WAIT_S * 1000, intervalMs: STANZA_LOCK_RETRY_MS, abort: () => fatal },
  );
  if (!created) throw locked;
}

const STANZA_LOCK_WAIT_S = 10;
const STANZA_LOCK_RETRY_MS = 500;

/**
 * stanza-create failed (e.g. this pgBackRest predates the server's PostgreSQL
 * major, as with the embedded PostgreSQL 17 and Debian 12's pgBackRest 2.45):
 * archiving can never succeed, so switch it off rather than let pg_wal fill
 * with WAL nobody archives. Without its config file no node archives.
 */
export function abandonArchiving(cfg: Readonly<Config>): void {
  rmSync(backupPaths(cfg).conf, { force: true });
}
