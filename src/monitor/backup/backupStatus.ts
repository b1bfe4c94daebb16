import { existsSync } from 'node:fs';
import { backupsUnavailable, type BackupsUnavailable } from '../../backup/availability.js';
import { firstBackupRunning, type FirstBackupProgress } from '../../backup/firstBackup.js';
import { backupInfo } from '../../backup/info.js';
import { backupPaths, pgbackrestBinary } from '../../backup/paths.js';
import type { Config } from '../../config/schema.js';
import { errorMessage } from '../../errors.js';

/** Last successful backup as the monitor needs it; `configured: false` is an explicit state, not an error. */
export interface BackupStatus {
  configured: boolean;
  /** Stop time of the newest successful backup over all repositories. */
  lastSuccessAt?: string;
  ageHours?: number;
  repos: Array<{ repo: string; status: string; lastSuccessAt?: string }>;
  error?: string;
  /** Backups cannot run on this cluster at all (e.g. PostgreSQL 17 with pgBackRest 2.45): why, and the fix. */
  unavailable?: Pick<BackupsUnavailable, 'reason' | 'fix'>;
  /** `serve` is taking the first full backup now (backup/firstBackup.ts). */
  firstBackup?: Pick<FirstBackupProgress, 'startedAt' | 'step'>;
}

/** pgBackRest info status of a stanza that was never created: no backup system set up. */
const NOT_SET_UP = /missing stanza|^missing$/;

/** Backup state from pgBackRest (src/backup/info.ts), or "not configured" when there is none. */
export async function backupStatus(cfg: Readonly<Config>, now = new Date()): Promise<BackupStatus> {
  const unavailable = backupsUnavailable(cfg);
  // Configured (a backup system is wanted) but unable to run: red, with the reason (backup/availability.ts).
  if (unavailable)
    return { configured: true, repos: [], unavailable: { reason: unavailable.reason, fix: unavailable.fix } };
  // `cluster up` writes pgbackrest.conf when it sets up archiving: without it there is no backup system to ask.
  if (!pgbackrestBinary() || !existsSync(backupPaths(cfg).conf)) return { configured: false, repos: [] };
  const first = firstBackupRunning(cfg);
  const running = first ? { firstBackup: { startedAt: first.startedAt, step: first.step } } : {};
  let info: Awaited<ReturnType<typeof backupInfo>>;
  try {
    info = await backupInfo(cfg);
  } catch (e) {
    return { configured: true, repos: [], error: errorMessage(e), ...running };
  }
  if (NOT_SET_UP.test(info.status) && !info.backups.length) return { configured: false, repos: [], ...running };
  const repos = info.repos.map((r) => ({
    repo: `repo${r.repo}`,
    status: r.status,
    ...(r.lastSuccessfulBackup ? { lastSuccessAt: r.lastSuccessfulBackup } : {}),
  }));
  const newest = repos
    .map((r) => r.lastSuccessAt)
    .filter((t): t is string => !!t)
    .sort()
    .at(-1);
  return {
    configured: true,
    repos,
    ...running,
    ...(newest ? { lastSuccessAt: newest, ageHours: (now.getTime() - Date.parse(newest)) / 3_600_000 } : {}),
  };
}
