/**
 * `npm run bench [-- options]` (bench/args.ts lists them): every scenario of
 * issue 13 in one run, each right after its floor — a bare handler doing the
 * same I/O with no product logic (bench/floor.ts) — then the plan's load as an
 * open loop and a search for the highest rate within a p99 bound. The service
 * is `bill-inquiry serve` in its own process, as operators run it (monitoring
 * included), started fresh for each scenario and stopped with SIGTERM (history
 * flushed) so each scenario's acknowledged inquiries are counted against
 * stored history rows. A run of every scenario writes bench/results/<date>.json,
 * latest.json and latest.md; a partial run writes bench/results/tmp/<date>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HELP, SCENARIOS, parseBenchArgs, type BenchOptions, type Scenario } from './args.js';
import { measure, type Measured, type Pids } from './closedLoop.js';
import { sampleCpu } from './cpu.js';
import type { Kind, OpenLoopJob } from './openLoop.js';
import { medianRun, openLoop, searchMaxRate, type OpenLoopMeasured } from './openLoopRun.js';
import { BENCH_DIR, onInterrupt } from './procs.js';
import { renderProfile, summarizeProfile, type ProfileSummary } from './profile.js';
import { renderMarkdown, TARGETS, type BenchResult, type PairResult, type VariantName } from './report.js';
import { Stack, type Server } from './stack.js';
import type { WrkJob } from './wrk.js';
import { USERS, Workload } from './workload.js';

const say = (m: string) => process.stderr.write(`… ${m}\n`);
/** Miss lines written for one run at most (each asked for every month, so ×24 distinct bills). */
const MISS_PAIRS_CAP = 100_000;
const MIX: Record<Kind, number> = { hit: 70, history: 20, miss: 10 };
const HISTORY_PAGE = 20;
/** Rounds of the variants (journal on, off, two workers), alternated. */
const VARIANT_ROUNDS = 2;

async function main(o: BenchOptions): Promise<void> {
  const date = new Date().toISOString();
  const stamp = date.slice(0, 19).replace(/:/g, '-');
  const resultsDir = path.join(BENCH_DIR, 'results');
  const profileDir = path.join(resultsDir, 'profiles', stamp);
  if (o.profile) mkdirSync(profileDir, { recursive: true });
  const loadAverageAtStart = os.loadavg().map((x) => Math.round(x * 10) / 10);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bi-bench-jobs-'));
  const stack = await Stack.start({ kosLatencyMs: o.kosLatencyMs });
  const cleanup = async () => {
    await stack.stop();
    rmSync(tmp, { recursive: true, force: true });
  };
  onInterrupt(cleanup);
  try {
    const want = (s: Scenario) => o.scenarios.includes(s);
    const w = new Workload(stack.cfg);
    const openLoopWanted = want('open-loop') || want('search');
    const olUsers = openLoopWanted ? w.openLoopUsers(o.users) : [];

    // Set-up through the service's API: history rows, the cached bill (its answer's bytes are the hit floor's), open-loop users.
    say(`warming: history rows, the cached bill${olUsers.length ? `, ${olUsers.length} open-loop users` : ''}`);
    const setup = await stack.startService();
    const hitAnswer = await w.warm(setup.url, olUsers, olUsers.length ? HISTORY_PAGE : 0);
    await setup.stop();
    const hitFile = path.join(tmp, 'hit-answer.json');
    writeFileSync(hitFile, hitAnswer);
    await stack.prepareFloorTable();
    const db = (sql: string) => stack.query(sql);
    await db('VACUUM (ANALYZE)');

    const profiles: Record<string, ProfileSummary> = {};
    /**
     * Runs `body` against a fresh server (the service or a floor), then stops it
     * (the service flushes its history). With --profile the server ran under
     * --cpu-prof: the samples of the measured window are summarized.
     */
    const fresh = async <S extends Server, T extends { windowEpochMs: [number, number] } | undefined>(
      label: string,
      start: (profile?: { dir: string; name: string }) => Promise<S>,
      body: (server: S, pids: Pids) => Promise<T>,
    ): Promise<T> => {
      const name = label.replace(/[^a-z0-9]+/gi, '-');
      const server = await start(o.profile ? { dir: profileDir, name } : undefined);
      let result: T;
      try {
        result = await body(server, { server: server.pid, postgres: stack.postgresPid, kosMock: stack.kosPid });
      } finally {
        await server.stop();
      }
      const exitedAt = Date.now();
      if (o.profile) {
        const window = result?.windowEpochMs;
        const summary = summarizeProfile(
          path.join(profileDir, `${name}.cpuprofile`),
          window ? { fromEndMs: exitedAt - window[0], toEndMs: exitedAt - window[1] } : undefined,
          300,
        );
        profiles[label] = summary;
        writeFileSync(path.join(profileDir, `${name}.md`), renderProfile(label, summary, 40));
        writeFileSync(path.join(profileDir, `${name}.json`), JSON.stringify(summary, null, 1));
        say(`profile of ${label}: ${path.join(profileDir, `${name}.md`)}`);
      }
      return result;
    };
    const floor = (profile?: { dir: string; name: string }) => stack.startFloor(hitFile, profile ? { profile } : {});
    const service = (profile?: { dir: string; name: string }) => stack.startService(profile ? { profile } : {});

    /** History rows stored for some users (call with the service stopped: its queue flushed). */
    const stored = async (where: string, params: unknown[]) => {
      const [row] = await stack.query<{ n: string }>(
        `SELECT count(*) AS n FROM bill_inquiry_history WHERE ${where} AND status IN ('COMPLETED', 'PROCESSING')`,
        params,
      );
      return Number(row!.n);
    };

    /**
     * VACUUM (ANALYZE) of the tables a scenario wrote, right after it: the next
     * scenario starts on clean tables instead of meeting this one's autovacuum
     * in its CPU window, and the cost is reported with the scenario that caused it.
     */
    const vacuum = async (requests: number) => {
      const t0 = Date.now();
      const cpu = sampleCpu({ postgres: stack.postgresPid });
      await stack.query(
        'VACUUM (ANALYZE) bill_inquiry_history, kos_inquiry_history, bill_info_cache, bench_floor.rows',
      );
      const used = cpu();
      return {
        seconds: (Date.now() - t0) / 1000,
        postgresCpuUsPerRequest: requests ? Math.round((used.postgres * 1e6) / requests) : null,
      };
    };

    const wrkBase = { connections: o.connections, threads: o.threads, durationS: o.durationS, timeoutS: o.timeoutS };
    /** The floor, then a fresh service; for inquiries (`user`), acknowledged against stored rows. */
    const pair = async (
      name: string,
      job: Omit<WrkJob, 'url' | 'path'>,
      paths: { floor: string; service: string },
      inquiries?: { user: string; warmAcked: number },
    ): Promise<PairResult> => {
      const f = await fresh(`${name} floor`, floor, (srv, pids) =>
        measure(`${name} floor`, { ...job, url: srv.url, path: paths.floor }, srv, pids, { warmupS: o.warmupS, db }),
      );
      const s = await fresh(`${name} service`, service, (srv, pids) =>
        measure(`${name} service`, { ...job, url: srv.url, path: paths.service }, srv, pids, {
          warmupS: o.warmupS,
          service: srv,
          db,
        }),
      );
      const acknowledged = inquiries ? inquiries.warmAcked + s.warmupOk + s.ok : 0;
      const rows = inquiries ? await stored('user_id = $1', [inquiries.user]) : 0;
      return {
        floor: f,
        service: s,
        ratio: Math.round((1000 * s.rps) / f.rps) / 1000,
        acknowledged,
        stored: rows,
        lost_history_rows: Math.max(0, acknowledged - rows),
        vacuum: await vacuum(s.served + s.warmupOk),
      };
    };

    const scenarios: BenchResult['scenarios'] = {};
    if (want('ceiling')) {
      scenarios.ceiling = await fresh('ceiling', floor, (srv, pids) =>
        measure(
          'ceiling (bare GET, fixed JSON)',
          { ...wrkBase, url: srv.url, path: '/floor/fixed', method: 'GET' },
          srv,
          pids,
          { warmupS: o.warmupS },
        ),
      );
    }
    if (want('hit')) {
      scenarios.cache_hit = await pair(
        'cache_hit',
        { ...wrkBase, method: 'POST', token: w.hitToken, body: w.hitBody() },
        { floor: '/floor/hit', service: '/bills/inquiry' },
        { user: USERS.hit, warmAcked: w.warmAcked.hit },
      );
    }
    if (want('miss')) {
      // Enough (line, month) pairs that no bill repeats at the most KOS allows: connections / latency.
      const maxRate = o.connections / (Math.max(o.kosLatencyMs, 5) / 1000);
      const lines = Math.min(MISS_PAIRS_CAP, Math.ceil((maxRate * (o.durationS + o.warmupS)) / w.months.length));
      const pairsFile = path.join(tmp, 'miss-pairs.tsv');
      w.writeMissPairs(pairsFile, USERS.miss, 2000, lines);
      scenarios.cache_miss = await pair(
        'cache_miss',
        { ...wrkBase, method: 'POST', misses: { pairsFile, months: w.months, offset: 0 } },
        { floor: '/floor/miss', service: '/bills/inquiry' },
        { user: USERS.miss, warmAcked: 0 },
      );
      if (scenarios.cache_miss.service.maxIndex >= lines * w.months.length)
        say(`WARNING: the miss run used more than ${lines * w.months.length} distinct bills; later requests were hits`);
    }
    if (want('history')) {
      scenarios.history = await pair(
        'history',
        { ...wrkBase, method: 'GET', token: w.historyToken },
        { floor: '/floor/history', service: `/bills/history?size=${HISTORY_PAGE}` },
      );
    }

    if (want('variants')) {
      // The cache-hit job against variants of the service, alternated so drift on a shared machine
      // hits each alike: without the history journal (its cost, issue 9: ≤ 10 %) and with two workers.
      const hitJob = {
        ...wrkBase,
        method: 'POST' as const,
        token: w.hitToken,
        body: w.hitBody(),
        path: '/bills/inquiry',
      };
      const runs: Record<VariantName, Measured[]> = { journal_on: [], journal_off: [], workers_2: [] };
      let variantAcked = 0;
      const before = await stored('user_id = $1', [USERS.hit]);
      for (let round = 1; round <= VARIANT_ROUNDS; round++) {
        for (const v of Object.keys(runs) as VariantName[]) {
          const workers = v === 'workers_2' ? 2 : 1;
          const env = v === 'journal_off' ? { BILL_INQUIRY__SERVICE__HISTORY__JOURNAL__ENABLED: 'false' } : {};
          const m = await fresh(
            `variant ${v} ${round}`,
            (profile) => stack.startService({ ...(profile ? { profile } : {}), env, workers }),
            (srv, pids) =>
              measure(`cache hit, ${v.replace('_', ' ')} (${round})`, { ...hitJob, url: srv.url }, srv, pids, {
                warmupS: o.warmupS,
                db,
                // With workers each /metrics is one worker's: the queue is drained by SIGTERM instead.
                ...(workers === 1 ? { service: srv } : {}),
              }),
          );
          runs[v].push(m);
          variantAcked += m.warmupOk + m.ok;
        }
      }
      const rows = (await stored('user_id = $1', [USERS.hit])) - before;
      const mean = (ms: Measured[]) => Math.round(ms.reduce((t, m) => t + m.rps, 0) / ms.length);
      const on = mean(runs.journal_on);
      const off = mean(runs.journal_off);
      scenarios.variants = {
        ...runs,
        journal_cost_pct: Math.round((1000 * (off - on)) / off) / 10,
        hit_rps_workers_1: on,
        hit_rps_workers_2: mean(runs.workers_2),
        acknowledged: variantAcked,
        stored: rows,
        lost_history_rows: Math.max(0, variantAcked - rows),
      };
    }

    let openLoopResult: BenchResult['open_loop'];
    let search: BenchResult['search'];
    let openLoopAcked = w.warmAcked.openLoop;
    if (openLoopWanted) {
      const stepRateCeiling = o.rate * 1.25 ** o.maxSteps;
      // Every service run asks new bills: the runs at --rate (twice as many with --cold-sockets), the
      // search's steps, and each run's socket warm-up (one request of the mix per socket). Too few
      // and the later runs' misses would be cache hits.
      const serviceRuns = want('open-loop') ? o.openRuns * (o.coldSockets ? 2 : 1) : 0;
      const searchSteps = want('search') ? o.maxSteps : 0;
      const misses =
        0.1 * (o.rate * o.openDurationS * serviceRuns + searchSteps * stepRateCeiling * o.stepS) +
        o.connections * (serviceRuns + searchSteps);
      const lines = Math.min(MISS_PAIRS_CAP, Math.ceil(misses / w.months.length));
      const pairsFile = path.join(tmp, 'open-loop-miss-pairs.tsv');
      w.writeMissPairs(pairsFile, USERS.openLoopMiss, 3000, lines);
      let missOffset = 0;
      const job = (rate: number, durationS: number, paths: Record<Kind, string>): OpenLoopJob => ({
        url: '',
        rate,
        durationS,
        connections: o.connections,
        timeoutS: o.timeoutS,
        mix: MIX,
        paths,
        warmSockets: true,
        hits: olUsers.map((u) => ({ token: u.token, body: u.body })),
        historyTokens: olUsers.map((u) => u.token),
        misses: { pairsFile, months: w.months, offset: missOffset },
      });
      const servicePaths = {
        hit: '/bills/inquiry',
        history: `/bills/history?size=${HISTORY_PAGE}`,
        miss: '/bills/inquiry',
      };
      const floorPaths = { hit: '/floor/hit', history: '/floor/history', miss: '/floor/miss' };
      const onService = async (
        svc: Awaited<ReturnType<typeof service>>,
        pids: Pids,
        name: string,
        rate: number,
        durationS: number,
        warmSockets = true,
      ) => {
        const r = await openLoop(
          name,
          { ...job(rate, durationS, servicePaths), url: svc.url, warmSockets },
          pids,
          tmp,
          svc,
          db,
        );
        missOffset = r.nextMissOffset;
        if (missOffset > lines * w.months.length)
          say(
            `WARNING: the open loop used more than ${lines * w.months.length} distinct bills; later misses were hits`,
          );
        openLoopAcked += r.acknowledgedInquiries;
        return r;
      };
      // Floor and service alternate, each run on a fresh server, so drift on a shared machine hits
      // both alike; the result is the median run of each (by p99). The floor is also the generator's
      // check: its own p99 and lag bound what the generator adds.
      if (want('open-loop')) {
        const runs: { floor: OpenLoopMeasured[]; service: OpenLoopMeasured[]; serviceColdSockets: OpenLoopMeasured[] } =
          { floor: [], service: [], serviceColdSockets: [] };
        for (let k = 1; k <= o.openRuns; k++) {
          runs.floor.push(
            await fresh(`open_loop floor ${k}`, floor, (srv, pids) =>
              openLoop(
                `open loop floor (${k})`,
                { ...job(o.rate, o.openDurationS, floorPaths), url: srv.url },
                pids,
                tmp,
                undefined,
                db,
              ),
            ),
          );
          runs.service.push(
            await fresh(`open_loop service ${k}`, service, (svc, pids) =>
              onService(svc, pids, `open loop service (${k})`, o.rate, o.openDurationS),
            ),
          );
          // The "before" of issue 23: the same run with every socket opened on demand inside the window.
          if (o.coldSockets)
            runs.serviceColdSockets.push(
              await fresh(`open_loop service cold sockets ${k}`, service, (svc, pids) =>
                onService(svc, pids, `open loop service, cold sockets (${k})`, o.rate, o.openDurationS, false),
              ),
            );
        }
        openLoopResult = { floor: medianRun(runs.floor), service: medianRun(runs.service), runs };
      }
      if (want('search')) {
        await fresh('search service', service, async (svc, pids) => {
          const found = await searchMaxRate((rate) => onService(svc, pids, `search ${rate} req/s`, rate, o.stepS), {
            start: o.rate,
            maxSteps: o.maxSteps,
            p99LimitMs: o.p99LimitMs,
          });
          search = { p99LimitMs: o.p99LimitMs, ...found };
          return undefined;
        });
      }
    }

    // Lost rows: every acknowledged inquiry must have its row once each service flushed at SIGTERM.
    const pairs = [scenarios.cache_hit, scenarios.cache_miss].filter((p) => p !== undefined);
    const olStored = openLoopWanted ? await stored(`user_id LIKE 'bench-ol%'`, []) : 0;
    const olLost = Math.max(0, openLoopAcked - olStored);
    const historyWarmStored = await stored('user_id = $1', [USERS.history]);
    const historyWarmLost = Math.max(0, w.warmAcked.history - historyWarmStored);
    const v = scenarios.variants;
    const lost =
      pairs.reduce((s, p) => s + p.lost_history_rows, 0) + olLost + historyWarmLost + (v?.lost_history_rows ?? 0);
    const acknowledged =
      pairs.reduce((s, p) => s + p.acknowledged, 0) + openLoopAcked + w.warmAcked.history + (v?.acknowledged ?? 0);
    const storedRows = pairs.reduce((s, p) => s + p.stored, 0) + olStored + historyWarmStored + (v?.stored ?? 0);
    const serviceRuns = [scenarios.cache_hit, scenarios.cache_miss, scenarios.history].filter((p) => p !== undefined);
    const errors = serviceRuns.reduce((s, p) => s + p.service.errors.total, 0) + (openLoopResult?.service.errors ?? 0);

    const result: BenchResult = {
      date,
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memoryMb: Math.round(os.totalmem() / 2 ** 20),
        node: process.version,
        loadAverageAtStart,
      },
      options: { ...o },
      cache_hit_ratio: scenarios.cache_hit?.ratio ?? null,
      cache_miss_ratio: scenarios.cache_miss?.ratio ?? null,
      history_ratio: scenarios.history?.ratio ?? null,
      journal_cost_pct: v?.journal_cost_pct ?? null,
      hit_rps_workers_1: v?.hit_rps_workers_1 ?? null,
      hit_rps_workers_2: v?.hit_rps_workers_2 ?? null,
      open_loop_rate: openLoopResult?.service.rate ?? null,
      open_loop_p99_ms: openLoopResult?.service.latencyMs.p99 ?? null,
      open_loop_p999_ms: openLoopResult?.service.latencyMs.p999 ?? null,
      open_loop_postgres_us: openLoopResult?.service.cpuUsPerRequest.postgres ?? null,
      max_rate_p99_100ms: search && search.p99LimitMs === 100 ? search.maxRate : null,
      errors,
      lost_history_rows: lost,
      acknowledged_inquiries: acknowledged,
      stored_history_rows: storedRows,
      scenarios,
      ...(openLoopResult ? { open_loop: openLoopResult } : {}),
      ...(search ? { search } : {}),
      ...(o.profile
        ? {
            profiles: Object.fromEntries(
              Object.entries(profiles).map(([k, p]) => [
                k,
                {
                  busyMs: p.busyMs,
                  areasSelf: p.areasSelf.slice(0, 12),
                  topSelf: p.topSelf.slice(0, 12),
                  topInclusive: p.topInclusive.slice(0, 20),
                },
              ]),
            ),
          }
        : {}),
      targets: TARGETS,
      met: {
        cache_hit_ratio: scenarios.cache_hit ? scenarios.cache_hit.ratio >= TARGETS.cache_hit_ratio : null,
        cache_miss_ratio: scenarios.cache_miss ? scenarios.cache_miss.ratio >= TARGETS.cache_miss_ratio : null,
        history_ratio: scenarios.history ? scenarios.history.ratio >= TARGETS.history_ratio : null,
        journal_cost_pct: v ? v.journal_cost_pct <= TARGETS.journal_cost_pct : null,
        open_loop_p99_ms: openLoopResult
          ? openLoopResult.service.rate >= TARGETS.open_loop_rate &&
            openLoopResult.service.latencyMs.p99 <= TARGETS.open_loop_p99_ms &&
            openLoopResult.service.latencyMs.p999 <= TARGETS.open_loop_p999_ms &&
            openLoopResult.service.errors === 0
          : null,
        open_loop_postgres_us: openLoopResult
          ? (openLoopResult.service.cpuUsPerRequest.postgres ?? Infinity) <= TARGETS.open_loop_postgres_us
          : null,
        max_rate_p99_100ms:
          search && search.p99LimitMs === 100 ? (search.maxRate ?? 0) >= TARGETS.max_rate_p99_100ms : null,
        errors: errors === TARGETS.errors,
        lost_history_rows: lost === TARGETS.lost_history_rows,
      },
    };
    const json = `${JSON.stringify(result, null, 2)}\n`;
    const md = renderMarkdown(result);
    if (SCENARIOS.every(want)) {
      writeFileSync(path.join(resultsDir, `${stamp}.json`), json);
      writeFileSync(path.join(resultsDir, 'latest.json'), json);
      writeFileSync(path.join(resultsDir, 'latest.md'), md);
    } else {
      // A partial run (debugging, one scenario) is kept out of the committed results.
      mkdirSync(path.join(resultsDir, 'tmp'), { recursive: true });
      writeFileSync(path.join(resultsDir, 'tmp', `${stamp}.json`), json);
    }
    process.stderr.write(`\n${md}\n`);
    process.stdout.write(json);
  } finally {
    await cleanup();
  }
}

let parsed: BenchOptions | 'help';
try {
  parsed = parseBenchArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message} (see --help)\n`);
  process.exit(2);
}
if (parsed === 'help') process.stdout.write(`${HELP}\n`);
else await main(parsed);
