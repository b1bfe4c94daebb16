import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { BillInquiryError } from '../errors.js';
import { freePort, portInUse } from '../system/freePort.js';
import { backupInfo, type BackupSet } from './info.js';
import { integrityCheck, type IntegrityReport } from './integrity.js';
import { backupPaths } from './paths.js';
import { pgbackrest } from './pgbackrest.js';
import { RestoredCluster } from './restoredCluster.js';
import { lsnValue, parseTarget, targetOptions, type RestoreTarget } from './restoreTarget.js';
import { pgTargets, targetRunning } from './pgbackrest.js';

export interface RestoreOptions {
  to: string;
  into: string;
  port?: number;
  /** Restore from this repository only (e.g. 2 when repo1 is lost). */
  repo?: number;
  /** Skip pg_amcheck and digests (drills that measure only the restore). */
  skipIntegrity?: boolean;
}

export interface RestoreResult {
  ok: boolean;
  into: string;
  port: number;
  repo: number;
  backup: string;
  /** pgbackrest restore: files copied, decrypted, decompressed. */
  restoreSeconds: number;
  /** Start, WAL replay to the target, promotion. */
  recoverySeconds: number;
  integrity?: IntegrityReport;
  cluster: RestoredCluster;
}

/**
 * Point-in-time restore onto a SEPARATE cluster (plan §9.3, the
 * data-corruption scenario): pick the repo and backup that can reach the
 * target, pgbackrest restore, start and promote, then check integrity. The
 * running cluster is never touched.
 */
export async function restoreTo(cfg: Readonly<Config>, opts: RestoreOptions): Promise<RestoreResult> {
  const target = parseTarget(opts.to);
  const port = opts.port ?? (await freePort());
  const cluster = new RestoredCluster(cfg, opts.into, port);
  cluster.assertFree();
  if (await portInUse(port))
    throw new BillInquiryError('PORT_IN_USE', `port ${port} on 127.0.0.1 is already in use`, 'pick another --port');
  const { repo, backup } = await chooseBackup(cfg, target, opts.repo);
  await flushWal(cfg);
  cluster.prepare();
  const started = Date.now();
  await pgbackrest(cfg, [
    `--repo=${repo}`,
    `--set=${backup.label}`,
    `--process-max=${cfg.backup.restoreProcessMax}`,
    `--pg1-path=${cluster.pgdata}`,
    ...targetOptions(target),
    '--archive-mode=off',
    'restore',
  ]);
  const restoreSeconds = (Date.now() - started) / 1000;
  await cluster.writeOverrides();
  const recoveryStarted = Date.now();
  let integrity: IntegrityReport | undefined;
  let recoverySeconds: number;
  try {
    await cluster.startAndPromote(cfg.cluster.startTimeoutS * 5);
    recoverySeconds = (Date.now() - recoveryStarted) / 1000;
    integrity = opts.skipIntegrity ? undefined : await integrityCheck(cfg, cluster);
  } catch (e) {
    // A half-recovered copy must not keep running beside the original.
    await cluster.stop().catch(() => undefined);
    throw e;
  }
  return {
    ok: integrity?.ok ?? true,
    into: opts.into,
    port,
    repo,
    backup: backup.label,
    restoreSeconds,
    recoverySeconds,
    ...(integrity ? { integrity } : {}),
    cluster,
  };
}

/**
 * `pgbackrest check` switches WAL on the running primary and waits until the
 * segment is archived, so a target seconds ago is reachable. Skipped quietly
 * when the source cluster is down (the region/corruption case): then the
 * newest archived WAL is the limit.
 */
async function flushWal(cfg: Readonly<Config>): Promise<void> {
  if (!(await pgTargets(cfg)).some(targetRunning)) return;
  await pgbackrest(cfg, ['check']).catch(() => undefined);
}

async function chooseBackup(
  cfg: Readonly<Config>,
  target: RestoreTarget,
  onlyRepo?: number,
): Promise<{ repo: number; backup: BackupSet }> {
  const repos = onlyRepo ? [onlyRepo] : cfg.backup.repos.map((_, i) => i + 1);
  const paths = backupPaths(cfg);
  const present = repos.filter((r) => cfg.backup.repos[r - 1]?.type !== 'posix' || existsSync(paths.repo(r)));
  if (!present.length) {
    throw new BillInquiryError(
      'BACKUP_REPO_MISSING',
      `backup repository ${repos.map((r) => paths.repo(r)).join(', ')} does not exist`,
      'restore from another repository (--repo) or check backup.repos',
    );
  }
  const info = await backupInfo(cfg);
  const good = info.backups.filter((b) => b.ok && present.includes(b.repo));
  if (!good.length)
    throw new BillInquiryError(
      'NO_BACKUP',
      `no usable backup in repository ${present.join(', ')}`,
      'run `bill-inquiry backup run --type full` first',
    );
  const reaches = (b: BackupSet) =>
    target.kind === 'latest' ||
    (target.kind === 'time' ? new Date(b.stop) <= target.time : lsnValue(b.stopLsn) <= lsnValue(target.lsn));
  const candidates = good.filter(reaches).sort((a, b) => b.stop.localeCompare(a.stop) || a.repo - b.repo);
  if (!candidates.length) {
    const oldest = [...good].sort((a, b) => a.stop.localeCompare(b.stop))[0]!;
    throw new BillInquiryError(
      'TARGET_BEFORE_OLDEST_BACKUP',
      `restore target ${describe(target)} is before the oldest backup (${oldest.label}, consistent at ${oldest.stop} / ${oldest.stopLsn})`,
      'choose a later target: older states are beyond the 35-day retention',
    );
  }
  return { repo: candidates[0]!.repo, backup: candidates[0]! };
}

const describe = (t: RestoreTarget) => (t.kind === 'time' ? t.time.toISOString() : t.kind === 'lsn' ? t.lsn : 'latest');
