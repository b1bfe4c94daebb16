import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { processAlive } from '../cluster/local/postmaster.js';
import type { Config } from '../config/schema.js';
import { BillInquiryError, errorMessage } from '../errors.js';
import { backupInfo } from './info.js';
import { backupPaths, pgbackrestBinary } from './paths.js';
import { runBackup } from './run.js';

// The first full backup of a freshly installed database (§2.3: PITR needs a
// base backup; the daily 02:00 KST run may be a day away). `serve` runs it in
// the background; other processes (`monitor alerts`, `check daily`, /ops in
// another serve) learn that it runs from a small file naming the serve's pid.
// Nothing of it is half-registered: pgBackRest writes a backup into its
// backup.info only once it is complete, and the file below names a process —
// a dead one (kill -9) means "not running", and the next start takes it again.

/** What a running first backup is doing, as other processes read it. */
export interface FirstBackupProgress {
  /** The serve that runs it. */
  pid: number;
  startedAt: string;
  /** e.g. "repo1 (1 of 2) since 2026-12-06T22:40:01Z". */
  step: string;
}

const progressFile = (cfg: Readonly<Config>) => path.join(backupPaths(cfg).root, 'first-backup.json');

/** The first backup a live serve is taking now; undefined when none runs (or its serve died). */
export function firstBackupRunning(cfg: Readonly<Config>): FirstBackupProgress | undefined {
  try {
    const p = JSON.parse(readFileSync(progressFile(cfg), 'utf8')) as FirstBackupProgress;
    return Number.isInteger(p.pid) && processAlive(p.pid) ? p : undefined;
  } catch {
    return undefined;
  }
}

/** The one command that takes it by hand (what `db apply` prints). */
export const FIRST_BACKUP_COMMAND = 'bill-inquiry backup run --type full';

/** Repositories with no complete backup (pgBackRest's own list: an interrupted backup is not in it). */
export async function reposWithoutBackup(cfg: Readonly<Config>): Promise<number[]> {
  const info = await backupInfo(cfg);
  return cfg.backup.repos.map((_, i) => i + 1).filter((n) => !info.repos.find((r) => r.repo === n)?.backups);
}

/**
 * Whether this data dir can take a backup at all: pgBackRest installed and
 * configured (`cluster up` / `serve` write its config when archiving is on, and
 * remove it where pgBackRest cannot back the cluster up).
 */
export const backupsConfigured = (cfg: Readonly<Config>): boolean =>
  !!pgbackrestBinary() && existsSync(backupPaths(cfg).conf);

export interface FirstBackupJob {
  /** Settles when the job ends (taken, not needed, failed or stopped); never rejects. */
  done: Promise<'taken' | 'not-needed' | 'failed' | 'stopped'>;
  /** Interrupts a running backup (pgBackRest gets SIGTERM) and waits for the job to end. */
  stop(): Promise<void>;
}

/**
 * Starts the first full backup in the background: a full backup into each
 * repository that has none, one after the other. A repository locked by
 * another pgBackRest (an orphan of a killed serve finishing its backup) is
 * asked again until the lock is free, then looked at afresh.
 */
export function startFirstBackup(cfg: Readonly<Config>, log: (msg: string) => void): FirstBackupJob {
  const abort = new AbortController();
  const done = firstBackup(cfg, log, abort.signal).catch((e: unknown) => {
    if (abort.signal.aborted) {
      log('first full backup: interrupted by the stop; the next start takes it again');
      return 'stopped' as const;
    }
    log(
      `WARNING: first full backup failed: ${errorMessage(e)} — the next start of serve tries again; or run \`${FIRST_BACKUP_COMMAND}\``,
    );
    return 'failed' as const;
  });
  return {
    done,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

async function firstBackup(
  cfg: Readonly<Config>,
  log: (msg: string) => void,
  signal: AbortSignal,
): Promise<'taken' | 'not-needed'> {
  const todo = await reposWithoutBackup(cfg);
  if (!todo.length) {
    log('first full backup: not needed (every repository holds a backup)');
    return 'not-needed';
  }
  const startedAt = new Date().toISOString();
  const started = Date.now();
  try {
    for (const [i, repo] of todo.entries()) {
      const step = `repo${repo} (${i + 1} of ${todo.length}) since ${new Date().toISOString()}`;
      writeFileSync(progressFile(cfg), JSON.stringify({ pid: process.pid, startedAt, step }), { mode: 0o600 });
      log(`first full backup: ${step.replace(' since', ' started at')}`);
      const r = await backupWhenUnlocked(cfg, repo, signal, log);
      if (r)
        log(
          `first full backup: repo${repo} done — ${r.label}, ${(r.sizeBytes / 2 ** 20).toFixed(1)} MB in ${r.seconds.toFixed(1)} s`,
        );
    }
  } finally {
    rmSync(progressFile(cfg), { force: true });
  }
  log(
    `first full backup: complete in ${((Date.now() - started) / 1000).toFixed(1)} s — point-in-time recovery covers the database from now on (§2.3)`,
  );
  return 'taken';
}

/** One full backup into `repo`; waits while another pgBackRest holds the lock; undefined when that one made it. */
async function backupWhenUnlocked(
  cfg: Readonly<Config>,
  repo: number,
  signal: AbortSignal,
  log: (msg: string) => void,
): Promise<{ label: string; seconds: number; sizeBytes: number } | undefined> {
  for (let said = false; ; said = true) {
    try {
      return (await runBackup(cfg, 'full', repo, { signal })).repos[0];
    } catch (e) {
      if (signal.aborted || !(e instanceof BillInquiryError && e.code === 'BACKUP_LOCKED')) throw e;
    }
    if (!said) log(`first full backup: repo${repo} is locked by another pgBackRest (an earlier backup?): waiting`);
    await new Promise((r) => setTimeout(r, cfg.backup.firstBackup.lockRetryMs));
    signal.throwIfAborted();
    if (!(await reposWithoutBackup(cfg)).includes(repo)) return undefined;
  }
}
