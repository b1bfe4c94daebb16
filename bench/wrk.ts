/**
 * One closed-loop run of wrk (C, epoll; far cheaper per request than a Node
 * load generator) with bench/wrk/bench.lua, parsed from the JSON line its
 * done() callback prints.
 */
import path from 'node:path';
import { BENCH_DIR, runToEnd } from './procs.js';
import { TICKS_PER_S } from './cpu.js';

export interface WrkJob {
  /** Base URL of the server, e.g. http://127.0.0.1:1234 */
  url: string;
  path: string;
  method: 'GET' | 'POST';
  body?: string;
  token?: string;
  /** Every request a new (line, month): a file of "token<TAB>line" lines, the months, the first index. */
  misses?: { pairsFile: string; months: string[]; offset: number };
  connections: number;
  threads: number;
  durationS: number;
  timeoutS: number;
}

export interface WrkResult {
  requests: number;
  rps: number;
  /** Responses with a status below 400 (wrk counts ≥ 400 as status errors). */
  ok: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number; total: number };
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  /** wrk's own CPU (all its threads), from /proc/self/stat at the end of the run. */
  loadGeneratorCpuS: number;
  /** Misses mode: the highest index used, so the next run starts after it. */
  maxIndex: number;
}

interface WrkJson {
  requests: number;
  durationUs: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  cpuTicks: number;
  maxIndex: number;
}

const ms = (us: number) => Math.round(us / 100) / 10;

export async function runWrk(job: WrkJob): Promise<WrkResult> {
  const threads = Math.min(job.threads, job.connections);
  const env: NodeJS.ProcessEnv = {
    BENCH_MODE: job.misses ? 'misses' : 'static',
    BENCH_METHOD: job.method,
    BENCH_BODY: job.body ?? '',
    BENCH_AUTH: job.token ?? '',
    BENCH_THREADS: String(threads),
    ...(job.misses
      ? {
          BENCH_PAIRS: job.misses.pairsFile,
          BENCH_MONTHS: job.misses.months.join(','),
          BENCH_OFFSET: String(job.misses.offset),
        }
      : {}),
  };
  const args = [
    '-t',
    String(threads),
    '-c',
    String(job.connections),
    '-d',
    `${job.durationS}s`,
    '--timeout',
    `${job.timeoutS}s`,
    '-s',
    path.join(BENCH_DIR, 'wrk', 'bench.lua'),
    `${job.url}${job.path}`,
  ];
  const { stdout, stderr, code } = await runToEnd('wrk', args, { env });
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${stderr}\n${stdout}`);
  const r = JSON.parse(line.slice('BENCH_JSON '.length)) as WrkJson;
  const e = r.errors;
  return {
    requests: r.requests,
    rps: Math.round((r.requests / r.durationUs) * 1e6),
    ok: r.requests - e.status,
    errors: { ...e, total: e.connect + e.read + e.write + e.status + e.timeout },
    latencyMs: {
      p50: ms(r.latencyUs.p50),
      p90: ms(r.latencyUs.p90),
      p99: ms(r.latencyUs.p99),
      p999: ms(r.latencyUs.p999),
      max: ms(r.latencyUs.max),
      mean: ms(r.latencyUs.mean),
    },
    loadGeneratorCpuS: r.cpuTicks / TICKS_PER_S,
    maxIndex: r.maxIndex,
  };
}
