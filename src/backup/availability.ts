import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { backupPaths } from './paths.js';

// Where this data dir's cluster cannot be backed up at all (pgBackRest not
// installed, or one that predates the server's PostgreSQL major — Debian 12's
// 2.45 and the embedded PostgreSQL 17), `cluster up` / `serve` switch WAL
// archiving off and say so once. That is a database without recovery, so it
// must not look like a quiet "not configured": this record keeps the reason
// for `monitor alerts`, `check daily` and /ops, which run in other processes.

/** Why backups cannot run here, and what makes them run. */
export interface BackupsUnavailable {
  reason: string;
  fix: string;
  since: string;
}

const recordFile = (cfg: Readonly<Config>) => path.join(backupPaths(cfg).root, 'unavailable.json');

/** What `cluster up` advises when pgBackRest cannot back up the cluster's PostgreSQL. */
export const UNSUPPORTED_VERSION_FIX =
  'install PostgreSQL 15 from the distribution (apt-get install postgresql-15) and run the cluster on it ' +
  '(`cluster up --binaries system` on a new data dir; move the data with `backup logical` / `restore logical`), ' +
  "or install a pgBackRest release that supports this cluster's PostgreSQL version; then `cluster down` and `cluster up`";

export const NOT_INSTALLED_FIX = 'apt-get install pgbackrest, then `cluster down` and `cluster up` (or restart serve)';

/**
 * The reason in one readable line: pgBackRest's own words when it says the
 * server's version is not supported (its exit code alone reads as "cannot
 * connect", whose hint — start the cluster — would mislead here).
 */
export function stanzaFailureReason(e: unknown): string {
  const text =
    e instanceof Error
      ? `${e.message} ${String((e.cause as { stderr?: string } | undefined)?.stderr ?? '')}`
      : String(e);
  const unsupported = /\[VersionNotSupportedError\]\s*([^|\n]*)/.exec(text);
  if (unsupported)
    return `this pgBackRest does not support the cluster's PostgreSQL version (${unsupported[1]!.trim()})`;
  return `stanza-create failed: ${e instanceof Error ? e.message : text}`;
}

export function markBackupsUnavailable(cfg: Readonly<Config>, reason: string, fix: string): void {
  mkdirSync(backupPaths(cfg).root, { recursive: true, mode: 0o700 });
  const record: BackupsUnavailable = { reason, fix, since: new Date().toISOString() };
  writeFileSync(recordFile(cfg), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

/** Backups work (again), or were switched off on purpose (backup.walArchiving=false). */
export function clearBackupsUnavailable(cfg: Readonly<Config>): void {
  rmSync(recordFile(cfg), { force: true });
}

export function backupsUnavailable(cfg: Readonly<Config>): BackupsUnavailable | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(cfg), 'utf8')) as BackupsUnavailable;
  } catch {
    return undefined;
  }
}
