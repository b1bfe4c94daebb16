/**
 * Open-loop load generator (its own process; `node --import tsx bench/openLoop.ts JOB.json`):
 * requests leave on a fixed schedule — request i is due at start + i/rate —
 * whatever the server's answers do, and each latency is measured from that
 * intended send time, so a stalled server cannot hide its stall by slowing
 * the generator down (coordinated omission; wrk2's method). The mix is
 * interleaved evenly by smooth weighted round robin. Prints one JSON result.
 *
 * How far the generator itself falls behind its schedule is reported
 * (`dispatchLagMs`), with its own CPU, so a run where the generator was the
 * bottleneck can be told apart. Requests go out through rawHttp.ts (prebuilt
 * bytes, keep-alive sockets): undici cost ~3× the CPU per request.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { RawPool, rawRequest } from './rawHttp.js';
import { analyzeTail, timeline, type Sample, type Slot, type TailReport } from './tail.js';
import { counterDelta, readTcpCounters, socketCount, type TcpCounters } from './tcpCounters.js';

export type Kind = 'hit' | 'history' | 'miss';

export interface OpenLoopJob {
  url: string;
  rate: number;
  durationS: number;
  /** Most sockets the generator may open (the plan's concurrent users); a busy server gets more of them, never fewer requests. */
  connections: number;
  timeoutS: number;
  /** Share of each kind, in any unit (e.g. 70/20/10). */
  mix: Record<Kind, number>;
  /** Path of each kind (the service's, or the floor's). */
  paths: Record<Kind, string>;
  /**
   * true: before the window, one socket per connection is opened and carries
   * one cache hit of a user (each user's in turn), so the window starts on
   * warm sockets and a warm service — every user's bill in its in-process
   * cache, its code compiled — as a deployment that has been serving. false:
   * nothing before the window; each socket is opened on demand inside it (the
   * generator before issue 23).
   */
  warmSockets: boolean;
  /** Wait after the warm-up for a line on stdin (the caller's counters start then). */
  handshake?: boolean;
  /** Processes whose open sockets are counted at the window's start and end. */
  watchPids?: Partial<Record<'server' | 'postgres' | 'kosMock', number>>;
  /** Cache hits: a request body and the token of a user whose bill is cached. */
  hits: Array<{ token: string; body: string }>;
  /** History pages: tokens of users with history. */
  historyTokens: string[];
  /** Misses: "token<TAB>line" file, the months, the first (pair, month) index to use. */
  misses: { pairsFile: string; months: string[]; offset: number };
}

export interface KindResult {
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number };
}

export interface OpenLoopResult {
  rate: number;
  durationS: number;
  /** Answers per second, from the first due time to the last answer (below `rate` when the system fell behind). */
  achievedRate: number;
  sent: number;
  completed: number;
  /** Transport errors, timeouts and non-2xx answers, all kinds. */
  errors: number;
  latencyMs: KindResult['latencyMs'];
  kinds: Record<Kind, KindResult>;
  /** 2xx answers to POST /bills/inquiry (hits and misses): each must have its history row. */
  acknowledgedInquiries: number;
  dispatchLagMs: { p99: number; max: number };
  cpuS: number;
  nextMissOffset: number;
  /** Sockets opened before the window, each carrying one request of the mix (`ok`, `failed`), and how long that took (not part of any figure). */
  connect: { sockets: number; ok: number; failed: number; acknowledged: number; ms: number };
  /** Sockets the generator had to open inside the window (lost ones replaced, or more than warmed). */
  openedInWindow: number;
  /** The kernel's TCP counters over the window (whole machine), e.g. TcpExtListenOverflows, TcpExtTCPSynRetrans. */
  tcp: TcpCounters;
  /** Open sockets of the watched processes at the window's start and end. */
  sockets: Record<string, { start: number | null; end: number | null }>;
  /** The run in 100 ms slots of intended send time. */
  timeline: Slot[];
  /** Where the slowest 1 % sit. */
  tail: TailReport;
}

const histogram = () => createHistogram({ lowest: 1, highest: 600_000_000, figures: 3 });
const ms = (h: RecordableHistogram, p: number) => (h.count ? Math.round(h.percentile(p) / 100) / 10 : 0);
const summary = (h: RecordableHistogram) => ({
  p50: ms(h, 50),
  p90: ms(h, 90),
  p99: ms(h, 99),
  p999: ms(h, 99.9),
  max: h.count ? Math.round(h.max / 100) / 10 : 0,
});

/** Kinds in an even interleaving of the mix (smooth weighted round robin), one cycle. */
export function mixCycle(mix: Record<Kind, number>): Kind[] {
  const kinds = (Object.keys(mix) as Kind[]).filter((k) => mix[k] > 0);
  const total = kinds.reduce((s, k) => s + mix[k], 0);
  const current = Object.fromEntries(kinds.map((k) => [k, 0])) as Record<Kind, number>;
  const cycle: Kind[] = [];
  for (let i = 0; i < total; i++) {
    for (const k of kinds) current[k] += mix[k];
    const pick = kinds.reduce((best, k) => (current[k] > current[best] ? k : best), kinds[0]!);
    current[pick] -= total;
    cycle.push(pick);
  }
  return cycle;
}

/** Written to stderr when the sockets are warm; the window starts at the next line on stdin (see openLoopRun.ts). */
export const WARMED = 'open-loop: sockets warm\n';

/** `afterWarm`: awaited between the warm-up and the window (the caller starts its CPU and database counters). */
export async function runOpenLoop(job: OpenLoopJob, afterWarm?: () => Promise<void>): Promise<OpenLoopResult> {
  const pairs = readFileSync(job.misses.pairsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t') as [string, string]);
  const cycle = mixCycle(job.mix);
  const url = new URL(job.url);
  const host = url.host;
  const pool = new RawPool(url.hostname, Number(url.port), job.connections, job.timeoutS * 1000);
  const all = histogram();
  const lag = histogram();
  const per = Object.fromEntries(
    (['hit', 'history', 'miss'] as Kind[]).map((k) => [k, { sent: 0, ok: 0, non2xx: 0, errors: 0, h: histogram() }]),
  ) as Record<Kind, { sent: number; ok: number; non2xx: number; errors: number; h: RecordableHistogram }>;
  // Prebuilt bytes: a hit and a history page per user; a miss is built when sent (each asks a new bill).
  const hits = job.hits.map((h) => rawRequest(host, 'POST', job.paths.hit, h.token, h.body));
  const pages = job.historyTokens.map((t) => rawRequest(host, 'GET', job.paths.history, t));
  let missIndex = job.misses.offset;
  let hitIndex = 0;
  let historyIndex = 0;
  let completed = 0;
  let lastAnswerAt = 0;
  let outstanding = 0;
  let allAnswered: (() => void) | undefined;
  const total = Math.round(job.rate * job.durationS);
  const samples = {
    due: new Float64Array(total),
    latency: new Float64Array(total),
    status: new Uint16Array(total),
    socket: new Int32Array(total),
    opened: new Uint8Array(total),
  };

  const request = (kind: Kind): Buffer => {
    if (kind === 'hit') return hits[hitIndex++ % hits.length]!;
    if (kind === 'history') return pages[historyIndex++ % pages.length]!;
    const i = missIndex++;
    // As the wrk script: one user's months one after another (bench/wrk/bench.lua says why).
    const months = job.misses.months;
    const [token, line] = pairs[Math.floor(i / months.length) % pairs.length]!;
    const month = months[i % months.length]!;
    return rawRequest(host, 'POST', job.paths.miss, token, `{"lineNumber":"${line}","inquiryMonth":"${month}"}`);
  };

  const send = (kind: Kind, dueAt: number, index: number) => {
    const stats = per[kind];
    stats.sent++;
    outstanding++;
    lag.record(Math.max(1, Math.round((performance.now() - dueAt) * 1000)));
    pool.send(request(kind), (status, carrier) => {
      if (status === 0) stats.errors++;
      else if (status >= 200 && status < 300) stats.ok++;
      else stats.non2xx++;
      // From the intended send time: time spent waiting for a socket or the event loop counts.
      const now = performance.now();
      const us = Math.max(1, Math.round((now - dueAt) * 1000));
      all.record(us);
      stats.h.record(us);
      samples.due[index] = dueAt - start;
      samples.latency[index] = now - dueAt;
      samples.status[index] = status;
      samples.socket[index] = carrier.socket;
      samples.opened[index] = carrier.opened ? 1 : 0;
      completed++;
      lastAnswerAt = now;
      if (--outstanding === 0) allAnswered?.();
    });
  };

  // The warm-up follows the mix, so every path (not only the cache hit) runs before the window; its
  // inquiries are acknowledged like any other.
  const warmKinds = job.warmSockets ? Array.from({ length: job.connections }, (_, k) => cycle[k % cycle.length]!) : [];
  const warmed = await pool.warm(warmKinds.map(request));
  const connect = {
    sockets: warmed.sockets,
    ms: warmed.ms,
    ok: warmed.statuses.filter((st) => st >= 200 && st < 300).length,
    failed: warmed.statuses.filter((st) => st < 200 || st >= 300).length,
    acknowledged: warmed.statuses.filter((st, k) => st >= 200 && st < 300 && warmKinds[k] !== 'history').length,
  };
  await afterWarm?.();
  const watched = Object.entries(job.watchPids ?? {});
  const socketsAtStart = Object.fromEntries(watched.map(([k, pid]) => [k, socketCount(pid)]));
  const tcp0 = readTcpCounters();
  const cpu0 = process.cpuUsage();
  const intervalMs = 1000 / job.rate;
  const start = performance.now() + 50;
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (i < total && start + i * intervalMs <= now) {
        send(cycle[i % cycle.length]!, start + i * intervalMs, i);
        i++;
      }
      if (i >= total) return resolve();
      setTimeout(tick, Math.max(0, start + i * intervalMs - performance.now()));
    };
    setTimeout(tick, 50);
  });
  // Answers still owed when the schedule ends: wait for them (each times out on its own).
  if (outstanding > 0) await new Promise<void>((r) => (allAnswered = r));
  const used = process.cpuUsage(cpu0);
  const tcp = counterDelta(tcp0, readTcpCounters());
  const sockets = Object.fromEntries(
    watched.map(([k, pid]) => [k, { start: socketsAtStart[k] ?? null, end: socketCount(pid) }]),
  );
  await pool.close();
  const list: Sample[] = Array.from({ length: i }, (_, j) => ({
    dueMs: samples.due[j]!,
    latencyMs: samples.latency[j]!,
    status: samples.status[j]!,
    socket: samples.socket[j]!,
    opened: samples.opened[j] === 1,
  }));

  const kinds = Object.fromEntries(
    Object.entries(per).map(([k, s]) => [
      k,
      { sent: s.sent, ok: s.ok, non2xx: s.non2xx, errors: s.errors, latencyMs: summary(s.h) },
    ]),
  ) as Record<Kind, KindResult>;
  return {
    rate: job.rate,
    durationS: job.durationS,
    // Answers per second from the first due time to the last answer: below `rate` when the system fell behind.
    achievedRate: Math.round((completed * 1000) / Math.max(job.durationS * 1000, lastAnswerAt - start)),
    sent: i,
    completed,
    errors: Object.values(kinds).reduce((n, k) => n + k.errors + k.non2xx, 0),
    latencyMs: summary(all),
    kinds,
    // The warm-up's hits were acknowledged inquiries too: each must have its history row.
    acknowledgedInquiries: kinds.hit.ok + kinds.miss.ok + connect.acknowledged,
    dispatchLagMs: { p99: ms(lag, 99), max: lag.count ? Math.round(lag.max / 100) / 10 : 0 },
    cpuS: (used.user + used.system) / 1e6,
    nextMissOffset: missIndex,
    connect,
    openedInWindow: pool.openedInWindow,
    tcp,
    sockets,
    timeline: timeline(list),
    tail: analyzeTail(list),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as OpenLoopJob;
  const afterWarm = async () => {
    process.stderr.write(WARMED);
    await once(process.stdin, 'data');
  };
  process.stdout.write(`${JSON.stringify(await runOpenLoop(job, job.handshake ? afterWarm : undefined))}\n`);
}
