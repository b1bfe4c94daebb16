/**
 * Runs the open-loop generator (bench/openLoop.ts) in its own process with the
 * CPU split, and the stepped search for the highest rate whose p99 stays
 * within a bound.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { drain, type Db, type Pids } from './closedLoop.js';
import { dbDelta, dbSnapshot, type DbSnapshot, type DbStats } from './dbStats.js';
import { WARMED, type OpenLoopJob, type OpenLoopResult } from './openLoop.js';
import { samplePgRoles, sampleCpu, waitIdle, type PgRole } from './cpu.js';
import { BENCH_DIR, runToEnd } from './procs.js';
import type { ServiceProcess } from './stack.js';

const say = (m: string) => process.stderr.write(`… ${m}\n`);

export interface OpenLoopMeasured extends OpenLoopResult {
  cpuUsPerRequest: {
    server: number | null;
    postgres: number | null;
    kosMock: number | null;
    loadGenerator: number | null;
  };
  /** PostgreSQL's CPU per request by what its processes do (backends, autovacuum, WAL writer…), µs. */
  postgresByRole?: Record<PgRole, number | null>;
  machine: { busyPct: number; othersPct: number };
  windowEpochMs: [number, number];
  /** PostgreSQL's side of the window: per request and per statement (pg_stat_statements, pg_stat_wal, pg_stat_bgwriter). */
  database?: DbStats;
}

/** One run at `job.rate`; the generator's job file goes to `dir`. */
export async function openLoop(
  name: string,
  job: OpenLoopJob,
  pids: Pids,
  dir: string,
  service?: ServiceProcess,
  db?: Db,
): Promise<OpenLoopMeasured> {
  const file = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      ...job,
      handshake: true,
      watchPids: { server: pids.server, postgres: pids.postgres, kosMock: pids.kosMock },
    }),
    { mode: 0o600 },
  );
  if (service) await drain(service);
  await waitIdle([pids.server, pids.postgres]);
  // The counters start when the generator's sockets are warm (its warm-up is in no figure).
  let db0: DbSnapshot | null = null;
  let started = 0;
  const startCpu = () => sampleCpu({ server: pids.server, postgres: pids.postgres, kosMock: pids.kosMock });
  let cpu: ReturnType<typeof startCpu> | undefined;
  let roles: ReturnType<typeof samplePgRoles> | undefined;
  const { stdout, stderr, code } = await runToEnd(
    process.execPath,
    ['--import', 'tsx', path.join(BENCH_DIR, 'openLoop.ts'), file],
    {
      handshake: {
        marker: WARMED,
        then: async () => {
          if (service) await drain(service);
          db0 = db ? await dbSnapshot(db) : null;
          started = Date.now();
          cpu = startCpu();
          if (pids.postgres) roles = samplePgRoles(pids.postgres);
        },
      },
    },
  );
  if (code !== 0) throw new Error(`the open-loop generator failed (exit ${code}):\n${stderr}`);
  const r = JSON.parse(stdout) as OpenLoopResult;
  if (service) await drain(service);
  if (!cpu) throw new Error(`the open-loop generator never said its sockets were warm:\n${stderr}`);
  const used = cpu(r.cpuS);
  const byRole = roles?.();
  const ended = Date.now();
  const db1 = db && db0 ? await dbSnapshot(db) : null;
  const windowS = (ended - started) / 1000;
  const per = (s: number) => (r.completed ? Math.round((s * 1e6) / r.completed) : null);
  const m: OpenLoopMeasured = {
    ...r,
    cpuUsPerRequest: {
      server: per(used.server),
      postgres: per(used.postgres),
      kosMock: per(used.kosMock),
      loadGenerator: per(r.cpuS),
    },
    machine: {
      busyPct: Math.round((100 * used.machine) / (windowS * os.cpus().length)),
      othersPct: Math.round((100 * used.machineOther) / (windowS * os.cpus().length)),
    },
    ...(byRole
      ? {
          postgresByRole: Object.fromEntries(Object.entries(byRole).map(([k, v]) => [k, per(v)])) as Record<
            PgRole,
            number | null
          >,
        }
      : {}),
    windowEpochMs: [started, ended],
    ...(db0 && db1 ? { database: dbDelta(db0, db1, r.completed) } : {}),
  };
  say(
    `${name}: ${r.rate} req/s scheduled, ${r.achievedRate} done/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, ` +
      `max ${r.latencyMs.max} ms, errors ${r.errors}; p99 by kind hit ${r.kinds.hit.latencyMs.p99} / history ${r.kinds.history.latencyMs.p99} / miss ${r.kinds.miss.latencyMs.p99} ms; ` +
      `generator lag p99 ${r.dispatchLagMs.p99} ms, CPU µs/request ${JSON.stringify(m.cpuUsPerRequest)}; machine busy ${m.machine.busyPct} % (others ${m.machine.othersPct} %)`,
  );
  say(
    `  ${r.connect.sockets} sockets warmed in ${r.connect.ms} ms before the window, ${r.openedInWindow} opened in it; ` +
      `TCP: listen overflows ${r.tcp.TcpExtListenOverflows ?? '?'}, SYN retransmits ${r.tcp.TcpExtTCPSynRetrans ?? '?'}, ` +
      `active/passive opens ${r.tcp.TcpActiveOpens ?? '?'}/${r.tcp.TcpPassiveOpens ?? '?'}; ` +
      `slowest 1 % (≥ ${r.tail.thresholdMs} ms, ${r.tail.count}): ${r.tail.verdict}`,
  );
  if (m.postgresByRole) say(`  PostgreSQL CPU µs/request by process: ${JSON.stringify(m.postgresByRole)}`);
  if (m.database) {
    const d = m.database.perRequest;
    say(
      `  PostgreSQL per request: ${d.statements} statements, ${d.execUs} µs executing, ${d.blksHit} buffers hit, ` +
        `${d.blksRead} read, ${d.walBytes} WAL bytes (${d.walFpi} full-page images); checkpoints ` +
        `${(m.database.bgwriter.checkpoints_timed ?? 0) + (m.database.bgwriter.checkpoints_req ?? 0)}`,
    );
    for (const t of m.database.top.slice(0, 5))
      say(
        `    ${t.timePct} % ${t.calls} × ${t.execUsPerCall} µs, ${t.blksHitPerCall} hits, ${t.walBytesPerCall} WAL B: ${t.query}`,
      );
  }
  return m;
}

/** The run with the median p99 (of an odd count; the lower middle of an even one). */
export function medianRun<T extends { latencyMs: { p99: number } }>(runs: readonly T[]): T {
  const sorted = [...runs].sort((a, b) => a.latencyMs.p99 - b.latencyMs.p99);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Whether a step counts as sustained within the bound: p99 ≤ limit, no errors, the schedule kept. */
export const withinBound = (r: OpenLoopResult, p99LimitMs: number): boolean =>
  r.latencyMs.p99 <= p99LimitMs && r.errors === 0 && r.achievedRate >= 0.95 * r.rate;

/**
 * Stepped search: from `start`, ×1.25 while within the bound. A failing step
 * goes down to 90 % of what it actually answered per second (at most ÷1.25),
 * so an overloaded start converges in a few steps. Once a pass and a failure
 * are known, the remaining steps bisect between them until they are within
 * 5 % of each other. Returns every step and the highest rate within the bound.
 */
export async function searchMaxRate(
  run: (rate: number) => Promise<OpenLoopMeasured>,
  opts: { start: number; maxSteps: number; p99LimitMs: number },
): Promise<{ maxRate: number | null; steps: OpenLoopMeasured[] }> {
  const steps: OpenLoopMeasured[] = [];
  let pass: number | null = null;
  let fail: number | null = null;
  let rate = opts.start;
  while (steps.length < opts.maxSteps) {
    const r = await run(Math.round(rate));
    steps.push(r);
    if (withinBound(r, opts.p99LimitMs)) pass = Math.max(pass ?? 0, r.rate);
    else fail = Math.min(fail ?? Infinity, r.rate);
    if (pass !== null && fail !== null) {
      if (fail - pass <= 0.05 * pass) break;
      rate = (pass + fail) / 2;
    } else if (pass !== null) rate = rate * 1.25;
    else rate = Math.min(rate / 1.25, 0.9 * r.achievedRate);
  }
  return { maxRate: pass, steps };
}
