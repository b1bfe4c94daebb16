import { rmSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import { backupPaths, pgbackrestBinary } from './paths.js';
import { backupInfo } from './info.js';
import { pgbackrest, writePgbackrestConf } from './pgbackrest.js';

/**
 * Writes pgbackrest.conf before the servers start so their archive_command
 * has a config; returns whether WAL archiving is on.
 */
export function prepareArchiving(cfg: Readonly<Config>): boolean {
  if (!cfg.backup.walArchiving || !pgbackrestBinary()) return false;
  writePgbackrestConf(cfg);
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
  for (let attempt = 1; ; attempt++) {
    try {
      return void (await pgbackrest(cfg, ['stanza-create']));
    } catch (e) {
      if (attempt >= STANZA_LOCK_ATTEMPTS || !/unable to acquire lock/.test(errorMessage(e))) throw e;
      await new Promise((r) => setTimeout(r, STANZA_LOCK_WAIT_MS));
    }
  }
}

const STANZA_LOCK_ATTEMPTS = 20;
const STANZA_LOCK_WAIT_MS = 500;

/**
 * stanza-create failed (e.g. this pgBackRest predates the server's PostgreSQL
 * major, as with the embedded PostgreSQL 17 and Debian 12's pgBackRest 2.45):
 * archiving can never succeed, so switch it off rather than let pg_wal fill
 * with WAL nobody archives. Without its config file no node archives.
 */
export function abandonArchiving(cfg: Readonly<Config>): void {
  rmSync(backupPaths(cfg).conf, { force: true });
}
