import { chmodSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { backupPaths } from '../backup/paths.js';
import { restoreTo } from '../backup/restore.js';
import { runBackup } from '../backup/run.js';
import { pgTargets, targetRunning } from '../backup/pgbackrest.js';
import { openTopology } from '../topology/open.js';
import { withClient } from '../db/withClient.js';
import { BillInquiryError } from '../errors.js';
import { run } from '../system/run.js';
import { dropTable } from './pitr.js';
import { RESTORE_COUNT, RESTORE_CREATE, RESTORE_DROP, RESTORE_FILL, RESTORE_ROW_BYTES } from './sql.js';
import { round } from './round.js';

export interface RestoreDrillResult {
  ok: boolean;
  /** pgbackrest restore from repo2 (read, decrypt, decompress, write, checksum). */
  restore_s: number;
  mb_per_s: number;
  /** cp -a of the same data dir: the physical ceiling of this disk. */
  raw_copy_mb_per_s: number;
  ratio: number;
  data_dir_mb: number;
  raw_copy_s: number;
  /** Start + promote of the restored copy, and its row count matching. */
  recovery_s: number;
  rows_match: boolean;
  repo: 2;
  target_ratio: number;
}

const FILL_BATCH_ROWS = 50_000;
const TARGET_RATIO = 0.5;

/**
 * Full-restore drill (plan §2.3 RTO): generate data, full backup into repo2,
 * set repo1 aside (renamed, put back afterwards) so only the geo-redundant
 * copy can serve, restore, and compare throughput with cp -a of the source
 * data dir.
 */
export async function restoreDrill(cfg: Readonly<Config>, opts: { dataMb?: number } = {}): Promise<RestoreDrillResult> {
  const rows = Math.ceil(((opts.dataMb ?? cfg.backup.drillRestoreDataMb) * 2 ** 20) / RESTORE_ROW_BYTES);
  const expected = await fill(cfg, rows);
  await runBackup(cfg, 'full', 2);
  const source = (await pgTargets(cfg)).find(targetRunning);
  if (!source)
    throw new BillInquiryError(
      'NO_CLUSTER',
      'no running cluster to compare a raw copy with',
      'start it with `bill-inquiry cluster up`',
    );
  const repo1 = backupPaths(cfg).repo(1);
  const aside = `${repo1}.drill-aside`;
  const work = mkdtempSync(path.join(os.tmpdir(), 'bi-restore-drill-'));
  chmodSync(work, 0o755);
  const hide = cfg.backup.repos[0]?.type === 'posix' && existsSync(repo1);
  if (hide) renameSync(repo1, aside);
  try {
    const restored = await restoreTo(cfg, {
      to: 'latest',
      into: path.join(work, 'restored'),
      repo: 2,
      skipIntegrity: true,
    });
    try {
      const mb = await sizeMb(restored.cluster.pgdata);
      const [count] = await restored.cluster.query<{ n: string }>(RESTORE_COUNT);
      const rawS = await rawCopySeconds(source.pgdata, path.join(work, 'raw'));
      const mbPerS = mb / restored.restoreSeconds;
      const rawMbPerS = mb / rawS;
      return {
        ok: Number(count!.n) === expected && mbPerS >= TARGET_RATIO * rawMbPerS,
        restore_s: round(restored.restoreSeconds),
        mb_per_s: round(mbPerS),
        raw_copy_mb_per_s: round(rawMbPerS),
        ratio: round(mbPerS / rawMbPerS),
        data_dir_mb: round(mb),
        raw_copy_s: round(rawS),
        recovery_s: round(restored.recoverySeconds),
        rows_match: Number(count!.n) === expected,
        repo: 2,
        target_ratio: TARGET_RATIO,
      };
    } finally {
      await restored.cluster.stop();
    }
  } finally {
    if (hide) await putBack(aside, repo1);
    rmSync(work, { recursive: true, force: true });
    await dropTable(cfg, RESTORE_DROP);
  }
}

/**
 * Puts repo1 back. The running cluster keeps archiving WAL while repo1 is set
 * aside, and pgBackRest may create repo1's paths again meanwhile: what it wrote
 * there is copied into the set-aside repository (never over a file that is
 * already there, ownership kept by cp -a) before the original takes its place,
 * so no archived segment is lost.
 */
async function putBack(aside: string, repo1: string): Promise<void> {
  if (existsSync(repo1)) {
    await run('cp', ['-an', `${repo1}/.`, aside]);
    rmSync(repo1, { recursive: true, force: true });
  }
  renameSync(aside, repo1);
}

async function fill(cfg: Readonly<Config>, rows: number): Promise<number> {
  return withClient(await openTopology(cfg).admin('postgres'), async (c) => {
    await c.query(RESTORE_CREATE);
    for (let from = 1; from <= rows; from += FILL_BATCH_ROWS)
      await c.query(RESTORE_FILL, [from, Math.min(rows, from + FILL_BATCH_ROWS - 1)]);
    return Number((await c.query<{ n: string }>(RESTORE_COUNT)).rows[0]!.n);
  });
}

/**
 * cp -a of the data dir, then fsync of every copied file: the physical ceiling
 * of this disk. pgBackRest fsyncs what it restores, so an unsynced cp (pages
 * still in RAM) would be no ceiling at all.
 */
async function rawCopySeconds(from: string, to: string): Promise<number> {
  const started = Date.now();
  await run('sh', ['-c', 'cp -a "$1" "$2" && find "$2" -type f -exec sync -- {} +', 'raw-copy', from, to]);
  return (Date.now() - started) / 1000;
}

async function sizeMb(dir: string): Promise<number> {
  const { stdout } = await run('du', ['-sk', dir]);
  return Number(stdout.split(/\s/)[0]) / 1024;
}
