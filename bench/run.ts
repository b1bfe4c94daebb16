/**
 * `npm run bench [-- --duration S --connections N]`: the four scenarios of
 * issue 3 in one run, at 1,000 connections by default, against a real local
 * PostgreSQL (temp data dir, applied by the platform) and the KOS mock at
 * 50 ms. Writes bench/results/<date>.json and bench/results/latest.json.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Fastify, { LogController } from 'fastify';
import { loadConfig } from '../src/config/load.js';
import { billFor } from '../src/kos/mock/billData.js';
import { startKosMock } from '../src/kos/mock/server.js';
import { ensureLocalDatabase } from '../src/platform/ensureLocal.js';
import { monitoringPlugins } from '../src/monitor/http/monitoringPlugins.js';
import { issueToken } from '../src/service/auth/tokens.js';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { startService } from '../src/service/start.js';
import { freePort } from '../src/system/freePort.js';
import { sampleCpu } from './cpu.js';
import type { LoadJob } from './load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : Number(process.env[`BENCH_${name.toUpperCase()}`] ?? fallback);
};
const DURATION_S = arg('duration', 20);
/** `--journal off` (or BENCH_JOURNAL=off): the history journal's cost is the difference to a run with it on. */
const journalArg = process.argv.indexOf('--journal');
const JOURNAL = (journalArg > 0 ? process.argv[journalArg + 1] : process.env.BENCH_JOURNAL) !== 'off';
const CONNECTIONS = arg('connections', 1000);
const KOS_LATENCY_MS = 50;
const MISS_LINES = 20_000;
/** How long the final flush may take before rows are counted (the queue can hold a few hundred thousand). */
const FLUSH_DEADLINE_MS = 120_000;
const TARGETS = { ratio: 0.6, cache_hit_p99_ms: 100, errors: 0, lost_history_rows: 0 };

const say = (m: string) => process.stderr.write(`… ${m}\n`);

const perRequestUs = (seconds: number, requests: number) => (requests ? Math.round((seconds * 1e6) / requests) : null);

async function load(job: LoadJob, dir: string, name: string) {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(job));
  const cpu = sampleCpu();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', path.join(here, 'load.ts'), file],
    { maxBuffer: 64 << 20 },
  );
  const used = cpu();
  const r = JSON.parse(stdout) as {
    rps: number;
    total: number;
    p50: number;
    p99: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    ok2xx: number;
    cpuS: number;
  };
  // Where each request's CPU went: the service process (with the bare app and the KOS mock, idle unless under test), PostgreSQL, the load generator.
  const cpuUsPerRequest = {
    service: perRequestUs(used.service, r.total),
    postgres: perRequestUs(used.postgres, r.total),
    loadGenerator: perRequestUs(r.cpuS, r.total),
  };
  say(
    `${name}: ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors + r.timeouts}, non-2xx ${r.non2xx}; CPU µs/request ${JSON.stringify(cpuUsPerRequest)}`,
  );
  return { ...r, cpuUsPerRequest };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bi-bench-'));
  chmodSync(dataDir, 0o755);
  const cfg = loadConfig({
    env: {},
    overrides: {
      dataDir,
      cluster: { port: await freePort(), replicaPort: await freePort() },
      service: { port: 0, kosMock: { latencyMs: KOS_LATENCY_MS }, history: { journal: { enabled: JOURNAL } } },
    },
  });
  say(`local PostgreSQL in ${dataDir}`);
  const db = await ensureLocalDatabase(cfg, { onProgress: say });
  const kos = await startKosMock(cfg.service.kosMock);
  // Composed as `serve` composes it: /metrics and /ops hooks run on every request.
  const service = await startService(cfg, {
    port: 0,
    kosUrl: kos.url,
    admin: db.primary.target(cfg.database.name),
    extraPlugins: monitoringPlugins(cfg, undefined),
  });
  const bare = Fastify({ logController: new LogController({ disableRequestLogging: true }) });
  bare.get(
    '/fixed',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              success: { type: 'boolean' },
              data: { type: 'object', properties: { status: { type: 'string' } } },
              message: { type: 'string' },
            },
          },
        },
      },
    },
    async () => ({ success: true, data: { status: 'UP' }, message: 'OK' }),
  );
  // Context for (b): the same request and response shape as a cache hit, with no work at all behind it.
  const sampleBill = {
    success: true,
    data: {
      requestId: '01a20ed1-caa4-757d-b034-fb699b968e1a',
      status: 'COMPLETED',
      billInfo: billFor('01010002000', '202611'),
    },
    message: 'bill inquiry completed',
  };
  bare.post('/same-shape', async () => sampleBill);
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  const jobs = mkdtempSync(path.join(os.tmpdir(), 'bi-bench-jobs-'));
  try {
    const months = availableMonths(currentMonth(cfg.database.timezone), cfg.systemConfig.inquiryAvailableMonths);
    const hitLine = '010-1000-2000';
    const hitToken = issueToken(cfg, { userId: 'bench-hit', lines: [hitLine], ttlSeconds: 7200 });
    const historyToken = issueToken(cfg, { userId: 'bench-history', lines: [hitLine], ttlSeconds: 7200 });
    const post = (token: string, body: object) =>
      fetch(`${service.url}/bills/inquiry`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // Warm-up: the cache-hit bill, and 30 rows of history for the history scenario.
    let warmAcked = 0;
    for (let i = 0; i < 30; i++)
      if ((await post(historyToken, { lineNumber: hitLine, inquiryMonth: months[i % 3] })).ok) warmAcked++;
    for (let i = 0; i < 3; i++)
      if ((await post(hitToken, { lineNumber: hitLine, inquiryMonth: months[0] })).ok) warmAcked++;
    const pairs = Array.from({ length: MISS_LINES }, (_, i) => {
      const line = `010-${String(2000 + Math.floor(i / 10_000)).padStart(4, '0')}-${String(i % 10_000).padStart(4, '0')}`;
      return { line, token: issueToken(cfg, { userId: 'bench-miss', lines: [line], ttlSeconds: 7200 }) };
    }).filter((p) => !p.line.endsWith('0000') && !p.line.endsWith('9999'));

    const common = { connections: CONNECTIONS, durationS: DURATION_S };
    // The deepest the history queue got: how far writes fell behind under load (bounded by service.history.maxQueued).
    let peakQueue = 0;
    const sampler = setInterval(() => (peakQueue = Math.max(peakQueue, service.runtime.historyStats().queued)), 100);
    // Each scenario starts with an empty history queue, so one scenario's backlog does not slow the next.
    const drained = async () => {
      const until = Date.now() + 180_000;
      while (service.runtime.historyStats().queued > 0 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 200));
    };
    const ceiling = await load({ ...common, url: bareUrl, method: 'GET', path: '/fixed' }, jobs, 'a-ceiling');
    const sameShape = await load(
      {
        ...common,
        url: bareUrl,
        method: 'POST',
        path: '/same-shape',
        headers: { authorization: `Bearer ${hitToken}` },
        body: JSON.stringify({ lineNumber: hitLine, inquiryMonth: months[0] }),
      },
      jobs,
      'a2-same-shape',
    );
    const hit = await load(
      {
        ...common,
        url: service.url,
        method: 'POST',
        path: '/bills/inquiry',
        headers: { authorization: `Bearer ${hitToken}` },
        body: JSON.stringify({ lineNumber: hitLine, inquiryMonth: months[0] }),
      },
      jobs,
      'b-cache-hit',
    );
    // Whether history writes keep up with the hit rate: rows still queued when the load stops, and how old the last flushed row was.
    const historyAfterHit = {
      queued: service.runtime.historyStats().queued,
      lastFlushLagMs: service.runtime.historyStats().lastFlushLagMs,
    };
    await drained();
    const miss = await load(
      { ...common, url: service.url, method: 'POST', path: '/bills/inquiry', misses: { pairs, months } },
      jobs,
      'c-cache-miss',
    );
    await drained();
    const history = await load(
      {
        ...common,
        url: service.url,
        method: 'GET',
        path: '/bills/history?size=20',
        headers: { authorization: `Bearer ${historyToken}` },
      },
      jobs,
      'd-history',
    );

    // Lost rows: every acknowledged inquiry must have its history row once the queue is flushed.
    clearInterval(sampler);
    say('flushing history');
    await service.runtime.history.close(FLUSH_DEADLINE_MS);
    // Only rows of answered-2xx kinds: a FAILED row (from a non-2xx answer) must not hide a lost COMPLETED one.
    const rows = await db.primary.query<{ n: string }>(
      `SELECT count(*) AS n FROM bill_inquiry_history WHERE user_id IN ('bench-hit', 'bench-miss', 'bench-history') AND status IN ('COMPLETED', 'PROCESSING')`,
      [],
      cfg.database.name,
    );
    const acknowledged = warmAcked + hit.ok2xx + miss.ok2xx;
    const stored = Number(rows[0]!.n);
    const errors = [ceiling, sameShape, hit, miss, history].reduce((s, r) => s + r.errors + r.timeouts + r.non2xx, 0);
    const ratio = Number((hit.rps / ceiling.rps).toFixed(3));
    const result = {
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memoryMb: Math.round(os.totalmem() / 2 ** 20),
        node: process.version,
      },
      connections: CONNECTIONS,
      durationSecondsPerScenario: DURATION_S,
      historyJournal: JOURNAL,
      kosLatencyMs: KOS_LATENCY_MS,
      ceiling_rps: Math.round(ceiling.rps),
      cache_hit_rps: Math.round(hit.rps),
      cache_hit_p99_ms: hit.p99,
      cache_miss_rps: Math.round(miss.rps),
      history_rps: Math.round(history.rps),
      ratio,
      /** (b) against a no-work POST with the same request and response bytes: what the framework + load generator allow for this shape. */
      same_shape_ceiling_rps: Math.round(sameShape.rps),
      ratio_same_shape: Number((hit.rps / sameShape.rps).toFixed(3)),
      errors,
      lost_history_rows: Math.max(0, acknowledged - stored),
      acknowledged_inquiries: acknowledged,
      peak_history_queue: peakQueue,
      history_queue_bound: cfg.service.history.maxQueued,
      history_after_cache_hit: historyAfterHit,
      stored_history_rows: stored,
      scenarios: { ceiling, same_shape_ceiling: sameShape, cache_hit: hit, cache_miss: miss, history },
      targets: TARGETS,
      met: {
        ratio: ratio >= TARGETS.ratio,
        cache_hit_p99_ms: hit.p99 <= TARGETS.cache_hit_p99_ms,
        errors: errors === TARGETS.errors,
        lost_history_rows: acknowledged - stored <= 0,
      },
    };
    const out = path.join(here, 'results');
    mkdirSync(out, { recursive: true });
    const json = `${JSON.stringify(result, null, 2)}\n`;
    writeFileSync(path.join(out, `${result.date.slice(0, 19).replace(/:/g, '-')}.json`), json);
    writeFileSync(path.join(out, 'latest.json'), json);
    process.stdout.write(json);
  } finally {
    await service.stop();
    await bare.close();
    await kos.close();
    await db.primary.stop();
    rmSync(jobs, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
