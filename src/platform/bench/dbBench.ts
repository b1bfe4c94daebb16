import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/schema.js';
import type { ConnTarget } from '../../db/connection.js';
import { BillInquiryError } from '../../errors.js';
import { ensureDir } from '../../system/osUser.js';
import { loginTarget } from '../verify/index.js';
import { findPgbench, runPgbench } from './pgbench.js';
import { parsePgbench, type PgbenchFigures } from './pgbenchOutput.js';
import { createScratch, dropScratch, dropStaleScratch } from './scratch.js';

/** Unset figures come from `database.bench` (the plan's §13.2 command line). */
export interface DbBenchOptions {
  scale?: number;
  clients?: number;
  jobs?: number;
  durationSeconds?: number;
  onProgress?: (msg: string) => void;
}

export interface DbBenchResult extends Omit<PgbenchFigures, 'scale' | 'clients' | 'threads' | 'durationS'> {
  ok: true;
  at: string;
  server: string;
  role: string;
  /** The scratch database the run used (dropped at the end). */
  scratchDatabase: string;
  scale: number;
  clients: number;
  jobs: number;
  durationSeconds: number;
  initSeconds: number;
  /** Scratch databases of earlier, killed runs that this run found unused and dropped. */
  leftoversDropped: string[];
}

/** Where the last result is kept, for the weekly checklist. */
export const lastResultFile = (cfg: Readonly<Config>): string => path.join(cfg.dataDir, 'monitor', 'db-bench.json');

/**
 * §13.2 as a command: `pgbench -i -s scale`, then `pgbench -c clients -j jobs
 * -T duration`, as the app role (bill_app_user) in a scratch database that is
 * dropped afterwards — also on failure and on Ctrl-C/SIGTERM (scratch.ts says
 * why a scratch database and what the role gets there). Works on any target
 * the admin connection reaches (local cluster, Azure: TLS as in libpqEnv).
 */
export async function runDbBench(
  cfg: Readonly<Config>,
  admin: ConnTarget,
  options: DbBenchOptions = {},
): Promise<DbBenchResult> {
  const b = cfg.database.bench;
  const opts = {
    scale: options.scale ?? b.scale,
    clients: options.clients ?? b.clients,
    jobs: options.jobs ?? b.jobs,
    durationSeconds: options.durationSeconds ?? b.durationSeconds,
  };
  const say = options.onProgress ?? (() => undefined);
  const bin = findPgbench(cfg);
  const app = loginTarget(cfg, admin, 'app');
  const leftoversDropped = await dropStaleScratch(cfg, admin);
  for (const d of leftoversDropped) say(`dropped ${d}, left behind by a killed run`);

  const stop = new AbortController();
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals) => {
    interrupted = s;
    say(`${s}: stopping pgbench, dropping the scratch database`);
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let scratch: string | undefined;
  try {
    scratch = await createScratch(cfg, admin);
    say(`scratch database ${scratch} on ${admin.host}:${admin.port}; pgbench as ${app.user}`);
    const target = { ...app, database: scratch };
    const pg = { signal: stop.signal, onLine: (l: string) => say(`pgbench: ${l}`) };
    const t0 = Date.now();
    await runPgbench(bin, ['-i', '-s', String(opts.scale), '-q'], target, pg);
    const initSeconds = Math.round((Date.now() - t0) / 100) / 10;
    const progressEvery = Math.max(1, Math.min(10, Math.floor(opts.durationSeconds / 5)));
    const out = await runPgbench(
      bin,
      [
        '-c',
        String(opts.clients),
        '-j',
        String(opts.jobs),
        '-T',
        String(opts.durationSeconds),
        '-P',
        String(progressEvery),
      ],
      target,
      pg,
    );
    const figures = parsePgbench(out);
    if (!figures)
      throw new BillInquiryError(
        'PGBENCH_FAILED',
        `pgbench printed no result: ${out.trim().split('\n').slice(-3).join(' | ')}`,
        'run it again; if it repeats, run pgbench by hand against a scratch database',
      );
    const { scale: _s, clients: _c, threads: _t, durationS: _d, ...rest } = figures;
    const result: DbBenchResult = {
      ok: true,
      at: new Date().toISOString(),
      server: `${admin.host}:${admin.port}`,
      role: app.user,
      scratchDatabase: scratch,
      scale: opts.scale,
      clients: opts.clients,
      jobs: opts.jobs,
      durationSeconds: opts.durationSeconds,
      initSeconds,
      ...rest,
      leftoversDropped,
    };
    const file = lastResultFile(cfg);
    ensureDir(path.dirname(file), 0o700);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 });
    return result;
  } catch (e) {
    if (interrupted)
      throw new BillInquiryError(
        'BENCH_INTERRUPTED',
        `db bench stopped by ${interrupted}; the scratch database was dropped`,
        'run it again when the server may be loaded for the whole duration',
        { cause: e },
      );
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (scratch) await dropScratch(cfg, admin, scratch);
  }
}

/** The last `db bench` result stored under the data dir, if any. */
export function lastDbBench(cfg: Readonly<Config>): DbBenchResult | undefined {
  const file = lastResultFile(cfg);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DbBenchResult;
  } catch {
    return undefined;
  }
}

export function renderDbBench(r: DbBenchResult): string {
  return [
    `pgbench on ${r.server} as ${r.role}: scale ${r.scale}, ${r.clients} clients, ${r.jobs} jobs, ${r.durationSeconds} s`,
    `tps ${r.tps.toFixed(1)} (without connection setup), latency average ${r.latencyAvgMs} ms` +
      (r.latencyStddevMs !== null ? ` (stddev ${r.latencyStddevMs} ms)` : ''),
    `${r.transactions} transactions, ${r.failedTransactions} failed; initialisation ${r.initSeconds} s`,
    `scratch database ${r.scratchDatabase} dropped`,
  ].join('\n');
}
