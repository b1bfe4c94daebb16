/**
 * One closed-loop measurement (wrk) of a server — the service or its floor —
 * with the CPU each process spent per request, and, for the service, the
 * history rows its load left queued and the time to write them (inside the
 * CPU window: deferred writes are part of a request's cost).
 */
import os from 'node:os';
import { sampleCpu, waitIdle } from './cpu.js';
import type { Server, ServiceProcess } from './stack.js';
import { runWrk, type WrkJob, type WrkResult } from './wrk.js';

const say = (m: string) => process.stderr.write(`… ${m}\n`);

export interface CpuPerRequest {
  /** The server under test: the service or the floor process. */
  server: number | null;
  postgres: number | null;
  kosMock: number | null;
  loadGenerator: number | null;
}

export interface Measured extends Omit<WrkResult, 'loadGeneratorCpuS'> {
  /** Answers below 400 in the (unmeasured) warm-up run: they wrote history too. */
  warmupOk: number;
  /** Answers the server counted in the CPU window (wrk's requests plus those it left queued). */
  served: number;
  cpuUsPerRequest: CpuPerRequest;
  /** The whole machine during the window, and what processes not ours used (other people's work on a shared host). */
  machine: { busyPct: number; othersPct: number };
  history?: { queuedAtEnd: number; drainMs: number };
  /** Wall-clock bounds of the CPU window (ms since the epoch): where a profile is cut. */
  windowEpochMs: [number, number];
  /** PostgreSQL's side: the statements that took the most execution time in the window (pg_stat_statements). */
  statements?: Statement[];
}

/** A superuser query on the bench's database. */
export type Db = (sql: string) => Promise<Array<Record<string, unknown>>>;

export interface Statement {
  query: string;
  calls: number;
  /** Execution time per request of the scenario, µs (the statement's total / the requests). */
  usPerRequest: number;
  meanMs: number;
  rowsPerCall: number;
}

/** The five statements with the most execution time since the last reset. */
async function topStatements(db: Db, requests: number): Promise<Statement[]> {
  const rows = await db(
    `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 120) AS query, calls, total_exec_time, mean_exec_time, rows
     FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 5`,
  );
  return rows.map((r) => ({
    query: String(r.query),
    calls: Number(r.calls),
    usPerRequest: requests ? Math.round((Number(r.total_exec_time) * 1000) / requests) : 0,
    meanMs: Math.round(Number(r.mean_exec_time) * 1000) / 1000,
    rowsPerCall: Number(r.calls) ? Math.round(Number(r.rows) / Number(r.calls)) : 0,
  }));
}

export interface Pids {
  server: number;
  postgres: number | undefined;
  kosMock: number | undefined;
}

const perRequest = (seconds: number, requests: number) => (requests ? Math.round((seconds * 1e6) / requests) : null);

/**
 * A warm-up run (not measured), then the measured run. The warm-up is the same
 * job for `warmupS` seconds; in misses mode the measured run starts after the
 * warm-up's last index, so it never repeats a bill the warm-up cached.
 * `warmupOk` counts the warm-up's answers below 400.
 *
 * The CPU window opens when the server and PostgreSQL are idle (the warm-up's
 * queued requests answered) and closes when they are idle again after wrk
 * stopped — with `service`, after its history queue drained too: deferred
 * writes are part of a request's cost. CPU per request divides by the answers
 * the server counted in that window (wrk does not see those still queued when
 * it stops); req/s and latency are wrk's.
 */
export async function measure(
  name: string,
  job: WrkJob,
  server: Server,
  pids: Pids,
  opts: { warmupS: number; service?: ServiceProcess; db?: Db },
): Promise<Measured> {
  let measured = job;
  let warmupOk = 0;
  if (opts.warmupS > 0) {
    const warm = await runWrk({ ...job, durationS: opts.warmupS });
    warmupOk = warm.ok;
    if (job.misses) measured = { ...job, misses: { ...job.misses, offset: warm.maxIndex + 1 } };
  }
  if (opts.service) await drain(opts.service);
  await waitIdle([pids.server, pids.postgres]);
  if (opts.db) await opts.db('SELECT pg_stat_statements_reset()');
  const served0 = await server.served();
  const started = Date.now();
  const cpu = sampleCpu({ server: pids.server, postgres: pids.postgres, kosMock: pids.kosMock });
  const r = await runWrk(measured);
  let history: Measured['history'];
  if (opts.service) {
    const queuedAtEnd = await opts.service.historyQueued();
    const t0 = Date.now();
    await drain(opts.service);
    history = { queuedAtEnd, drainMs: Date.now() - t0 };
  }
  // The window ends when the server has answered what was still queued when wrk stopped (counted in `served`).
  await waitIdle([pids.server, pids.postgres]);
  const counted = (await server.served()) - served0;
  const served = Number.isFinite(counted) ? counted : r.requests;
  const used = cpu(r.loadGeneratorCpuS);
  const ended = Date.now();
  const statements = opts.db ? await topStatements(opts.db, served) : undefined;
  const windowS = (ended - started) / 1000;
  const cores = os.cpus().length;
  const { loadGeneratorCpuS, ...rest } = r;
  const m = {
    ...rest,
    cpuUsPerRequest: {
      server: perRequest(used.server, served),
      postgres: perRequest(used.postgres, served),
      kosMock: perRequest(used.kosMock, served),
      loadGenerator: perRequest(loadGeneratorCpuS, r.requests),
    },
    machine: {
      busyPct: Math.round((100 * used.machine) / (windowS * cores)),
      othersPct: Math.round((100 * used.machineOther) / (windowS * cores)),
    },
    ...(history ? { history } : {}),
    served,
    warmupOk,
    windowEpochMs: [started, ended] as [number, number],
    ...(statements ? { statements } : {}),
  };
  say(
    `${name}: ${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, errors ${r.errors.total}; ` +
      `CPU µs/request ${JSON.stringify(m.cpuUsPerRequest)}; machine busy ${m.machine.busyPct} % (others ${m.machine.othersPct} %)` +
      (history ? `; history queued at end ${history.queuedAtEnd}, drained in ${history.drainMs} ms` : ''),
  );
  return m;
}

/** Until the service's history queue is empty (or 3 minutes). */
export async function drain(service: ServiceProcess): Promise<void> {
  const until = Date.now() + 180_000;
  while ((await service.historyQueued()) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
}
