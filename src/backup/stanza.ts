import type { Config } from '../config/schema.js';
import { pgbackrestBinary } from './paths.js';
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
