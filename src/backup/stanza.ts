import { rmSync } from 'node:fs';
import type { Config } from '../config/schema.js';
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
  await pgbackrest(cfg, ['stanza-create']);
}

/**
 * stanza-create failed (e.g. this pgBackRest predates the server's PostgreSQL
 * major, as with the embedded PostgreSQL 17 and Debian 12's pgBackRest 2.45):
 * archiving can never succeed, so switch it off rather than let pg_wal fill
 * with WAL nobody archives. Without its config file no node archives.
 */
export function abandonArchiving(cfg: Readonly<Config>): void {
  rmSync(backupPaths(cfg).conf, { force: true });
}
