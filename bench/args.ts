/** `npm run bench -- [options]`: what to run and how long. */
import { parseArgs } from 'node:util';

export const SCENARIOS = ['ceiling', 'hit', 'miss', 'history', 'variants', 'open-loop', 'search'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchOptions {
  scenarios: Scenario[];
  durationS: number;
  warmupS: number;
  connections: number;
  threads: number;
  timeoutS: number;
  rate: number;
  openDurationS: number;
  openRuns: number;
  coldSockets: boolean;
  users: number;
  stepS: number;
  maxSteps: number;
  p99LimitMs: number;
  profile: boolean;
  kosLatencyMs: number;
}

export const HELP = `npm run bench -- [options]

Closed loop (wrk), each scenario right after its floor, a fresh service per scenario:
  --scenarios LIST      comma list of ${SCENARIOS.join(', ')} (default: all);
                        variants: the cache hit with the history journal on and off, and on 2 workers
  --duration S          measured seconds per closed-loop run (default 20)
  --warmup S            unmeasured seconds before each run (default 3)
  --connections N       wrk connections (default 1000)
  --threads N           wrk threads (default 2)
  --timeout S           a request slower than this is an error (default 10)
Open loop (bench/openLoop.ts, latency from the intended send time):
  --rate R              the plan's load, requests/s, 70 % hits / 20 % history / 10 % misses (default 1000)
  --open-duration S     seconds at --rate (default 60)
  --open-runs N         runs at --rate, floor and service alternated; the median run is reported (default 3)
  --cold-sockets        also run the service with no sockets opened before the window (each opened on
                        demand inside it, as the generator did before issue 23): the before/after of warming
  --users N             users with a cached bill and a page of history (default 1000)
  --step S              seconds per step of the max-rate search (default 10)
  --max-steps N         steps of the search (default 8)
  --p99-limit MS        the search's latency bound (default 100)
Other:
  --profile             run each service under node --cpu-prof; top functions per scenario in bench/results/profiles/
  --kos-latency MS      KOS mock latency (default 50)

A run of every scenario writes bench/results/<date>.json, latest.json and latest.md; a partial run
writes bench/results/tmp/<date>.json (not committed).`;

export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      scenarios: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      threads: { type: 'string' },
      timeout: { type: 'string' },
      rate: { type: 'string' },
      'open-duration': { type: 'string' },
      'open-runs': { type: 'string' },
      'cold-sockets': { type: 'boolean' },
      users: { type: 'string' },
      step: { type: 'string' },
      'max-steps': { type: 'string' },
      'p99-limit': { type: 'string' },
      profile: { type: 'boolean' },
      'kos-latency': { type: 'string' },
    },
  });
  if (v.help) return 'help';
  const num = (name: keyof typeof v, fallback: number, min = 1): number => {
    const raw = v[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got "${String(raw)}"`);
    return n;
  };
  const scenarios = (v.scenarios?.split(',').map((s) => s.trim()) ?? [...SCENARIOS]) as Scenario[];
  const unknown = scenarios.filter((s) => !SCENARIOS.includes(s));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}: pick from ${SCENARIOS.join(', ')}`);
  return {
    scenarios,
    durationS: num('duration', 20),
    warmupS: num('warmup', 3, 0),
    connections: num('connections', 1000),
    threads: num('threads', 2),
    timeoutS: num('timeout', 10),
    rate: num('rate', 1000),
    openDurationS: num('open-duration', 60),
    openRuns: num('open-runs', 3),
    coldSockets: Boolean(v['cold-sockets']),
    users: Math.min(9998, num('users', 1000)),
    stepS: num('step', 10),
    maxSteps: num('max-steps', 8),
    p99LimitMs: num('p99-limit', 100),
    profile: Boolean(v.profile),
    kosLatencyMs: num('kos-latency', 50, 0),
  };
}
