import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config/schema.js';
import { backupInfo } from '../backup/info.js';
import { restoreTo } from '../backup/restore.js';
import { runBackup } from '../backup/run.js';
import { openTopology } from '../topology/open.js';
import { clientConfig } from '../db/connection.js';
import { queryOnce } from '../db/withClient.js';
import { sleep } from '../system/poll.js';
import { PITR_COUNTS, PITR_DESTROY, PITR_DROP, PITR_INSERT, PITR_NOW, PITR_TABLE_SETUP } from './sql.js';

export interface PitrDrillResult {
  ok: boolean;
  /** Seconds from `restore` start to a promoted, queryable cluster (pgbackrest restore + WAL replay). */
  restore_s: number;
  rows_missing_before_target: number;
  rows_present_after_target: number;
  rows_before_target: number;
  rows_after_target: number;
  target_time: string;
  backup: string;
}

/** Gap (ms) between the target and the first "after" commit, so commit timestamps never straddle it. */
const TARGET_GAP_MS = 200;

/**
 * PITR drill (plan §9.3): N rows committed one by one, the target time read
 * from the server, N more rows, then DELETE of everything. Restore to the
 * target on a separate cluster must bring back exactly the first N.
 */
export async function pitrDrill(cfg: Readonly<Config>, opts: { rows?: number } = {}): Promise<PitrDrillResult> {
  const rows = opts.rows ?? 500;
  if (!(await backupInfo(cfg).catch(() => undefined))?.backups.some((b) => b.ok && b.repo === 1))
    await runBackup(cfg, 'full', 1);
  const client = new pg.Client(clientConfig(await openTopology(cfg).admin('postgres')));
  await client.connect();
  let targetTime: string;
  try {
    await client.query(PITR_TABLE_SETUP);
    for (let id = 1; id <= rows; id++) await client.query(PITR_INSERT, [id]);
    targetTime = (await client.query<{ now: string }>(PITR_NOW)).rows[0]!.now;
    await sleep(TARGET_GAP_MS);
    for (let id = rows + 1; id <= 2 * rows; id++) await client.query(PITR_INSERT, [id]);
    await client.query(PITR_DESTROY);
  } finally {
    await client.end();
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bi-pitr-'));
  const started = Date.now();
  const restored = await restoreTo(cfg, { to: targetTime, into: dir, repo: 1, skipIntegrity: true }).catch(
    (e: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    },
  );
  const restoreS = (Date.now() - started) / 1000;
  try {
    const [counts] = await restored.cluster.query<{ before: number; after: number }>(PITR_COUNTS, [rows]);
    const missing = rows - counts!.before;
    return {
      ok: missing === 0 && counts!.after === 0,
      restore_s: Math.round(restoreS * 100) / 100,
      rows_missing_before_target: missing,
      rows_present_after_target: counts!.after,
      rows_before_target: rows,
      rows_after_target: rows,
      target_time: targetTime,
      backup: restored.backup,
    };
  } finally {
    await restored.cluster.stop();
    rmSync(dir, { recursive: true, force: true });
    await dropTable(cfg, PITR_DROP);
  }
}

export async function dropTable(cfg: Readonly<Config>, sql: string): Promise<void> {
  await queryOnce(await openTopology(cfg).admin('postgres'), sql);
}
