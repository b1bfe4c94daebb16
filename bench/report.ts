/** The bench's targets (issue 13) and the Markdown rendering of a result (bench/results/latest.md, README's table). */
import type { Measured } from './closedLoop.js';
import type { OpenLoopMeasured } from './openLoopRun.js';

export const TARGETS = {
  cache_hit_ratio: 0.6,
  cache_miss_ratio: 0.5,
  history_ratio: 0.9,
  /** Throughput the history journal may cost on the cache-hit path (issue 9), percent. */
  journal_cost_pct: 10,
  /** The plan's peak: 1,000 concurrent users (§7.2), one request a second each, 70 % hits / 20 % history / 10 % misses. */
  open_loop_rate: 1000,
  open_loop_p99_ms: 50,
  open_loop_p999_ms: 200,
  /** PostgreSQL CPU per mixed request of the open loop, µs (issue 23: half of the 483 measured). */
  open_loop_postgres_us: 250,
  /** Highest open-loop rate with p99 ≤ 100 ms, req/s. */
  max_rate_p99_100ms: 1800,
  errors: 0,
  lost_history_rows: 0,
} as const;

export interface PairResult {
  floor: Measured;
  service: Measured;
  ratio: number;
  acknowledged: number;
  stored: number;
  lost_history_rows: number;
  /** VACUUM (ANALYZE) after the service run: its time and PostgreSQL CPU per request of the run. */
  vacuum: { seconds: number; postgresCpuUsPerRequest: number | null };
}

export type VariantName = 'journal_on' | 'journal_off' | 'workers_2';

export interface VariantsResult extends Record<VariantName, Measured[]> {
  /** Cache-hit throughput lost to the history journal: 1 − mean(on) / mean(off), percent. */
  journal_cost_pct: number;
  hit_rps_workers_1: number;
  hit_rps_workers_2: number;
  acknowledged: number;
  stored: number;
  lost_history_rows: number;
}

export interface BenchResult {
  date: string;
  machine: Record<string, unknown>;
  options: Record<string, unknown>;
  cache_hit_ratio: number | null;
  cache_miss_ratio: number | null;
  history_ratio: number | null;
  journal_cost_pct: number | null;
  hit_rps_workers_1: number | null;
  hit_rps_workers_2: number | null;
  open_loop_rate: number | null;
  open_loop_p99_ms: number | null;
  open_loop_p999_ms: number | null;
  open_loop_postgres_us: number | null;
  max_rate_p99_100ms: number | null;
  errors: number;
  lost_history_rows: number;
  acknowledged_inquiries: number;
  stored_history_rows: number;
  scenarios: {
    ceiling?: Measured;
    cache_hit?: PairResult;
    cache_miss?: PairResult;
    history?: PairResult;
    variants?: VariantsResult;
  };
  /** The median run of each (by p99), and every run. */
  open_loop?: {
    floor: OpenLoopMeasured;
    service: OpenLoopMeasured;
    runs: { floor: OpenLoopMeasured[]; service: OpenLoopMeasured[]; serviceColdSockets: OpenLoopMeasured[] };
  };
  search?: { p99LimitMs: number; maxRate: number | null; steps: OpenLoopMeasured[] };
  profiles?: Record<string, unknown>;
  targets: typeof TARGETS;
  met: Record<string, boolean | null>;
}

const n = (x: number | null | undefined) => (x == null ? '—' : x.toLocaleString('en-US'));
const cpu = (m: Measured | OpenLoopMeasured) =>
  [m.cpuUsPerRequest.server, m.cpuUsPerRequest.postgres, m.cpuUsPerRequest.kosMock, m.cpuUsPerRequest.loadGenerator]
    .map(n)
    .join(' / ');
const closedRow = (name: string, m: Measured) =>
  `| ${name} | ${n(m.rps)} | ${m.latencyMs.p50} | ${m.latencyMs.p99} | ${n(m.errors.total)} | ${cpu(m)} | ${m.machine.busyPct} % (${m.machine.othersPct} %) |`;
const openRow = (name: string, r: OpenLoopMeasured) =>
  `| ${name} | ${n(r.rate)} | ${n(r.achievedRate)} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${r.kinds.hit.latencyMs.p99} / ${r.kinds.history.latencyMs.p99} / ${r.kinds.miss.latencyMs.p99} | ${n(r.errors)} | ${cpu(r)} | ${r.dispatchLagMs.p99} |`;
const mark = (ok: boolean | null | undefined) => (ok == null ? 'not run' : ok ? 'met' : '**not met**');

export function renderMarkdown(r: BenchResult): string {
  const s = r.scenarios;
  const closed = [
    '| Scenario | req/s | p50 ms | p99 ms | errors | CPU µs/request: server / PostgreSQL / KOS mock / wrk | machine busy (others) |',
    '|---|---|---|---|---|---|---|',
    ...(s.ceiling ? [closedRow('bare GET, fixed JSON (framework ceiling)', s.ceiling)] : []),
    ...(s.cache_hit
      ? [
          closedRow('floor: bare POST, a cache hit’s bytes', s.cache_hit.floor),
          closedRow(`\`POST /bills/inquiry\`, cache hit — **${s.cache_hit.ratio}** of floor`, s.cache_hit.service),
        ]
      : []),
    ...(s.cache_miss
      ? [
          closedRow('floor: KOS mock via undici + one INSERT', s.cache_miss.floor),
          closedRow(
            `cache miss (KOS ${String(r.options.kosLatencyMs)} ms) — **${s.cache_miss.ratio}** of floor`,
            s.cache_miss.service,
          ),
        ]
      : []),
    ...(s.history
      ? [
          closedRow('floor: the history SQL via pg pool 15', s.history.floor),
          closedRow(`\`GET /bills/history?size=20\` — **${s.history.ratio}** of floor`, s.history.service),
        ]
      : []),
    ...(s.variants
      ? [
          ...s.variants.journal_on.map((m, i) => closedRow(`cache hit, history journal on (${i + 1})`, m)),
          ...s.variants.journal_off.map((m, i) => closedRow(`cache hit, history journal off (${i + 1})`, m)),
          ...s.variants.workers_2.map((m, i) => closedRow(`cache hit, \`serve --workers 2\` (${i + 1})`, m)),
        ]
      : []),
  ];
  const ol = r.open_loop;
  const runs = ol
    ? ol.runs.floor.flatMap((f, i) => [
        [`floor (${i + 1})${f === ol.floor ? ', median' : ''}`, f] as const,
        ...(ol.runs.service[i]
          ? [[`service (${i + 1})${ol.runs.service[i] === ol.service ? ', median' : ''}`, ol.runs.service[i]] as const]
          : []),
        ...(ol.runs.serviceColdSockets[i]
          ? [[`service, sockets opened in the window (${i + 1})`, ol.runs.serviceColdSockets[i]] as const]
          : []),
      ])
    : [];
  const open = ol
    ? [
        '',
        `Open loop, ${n(ol.service.rate)} req/s (70 % hits, 20 % history, 10 % misses), ${String(r.options.openDurationS)} s per run, floor and service alternated, latency from the intended send time:`,
        '',
        '| Run | scheduled req/s | done req/s | p50 ms | p99 ms | max ms | p99 hit / history / miss | errors | CPU µs/request: server / PostgreSQL / KOS mock / generator | generator lag p99 ms |',
        '|---|---|---|---|---|---|---|---|---|---|',
        ...runs.map(([name, m]) => openRow(name, m)),
        '',
        'Where the tail sits (sockets opened and warmed before each window; TCP counters of the whole machine over the window):',
        '',
        '| Run | p99.9 ms | sockets warmed (ms) | opened in window | listen overflows | SYN retransmits | slowest 1 % |',
        '|---|---|---|---|---|---|---|',
        ...runs.map(
          ([name, m]) =>
            `| ${name} | ${m.latencyMs.p999} | ${n(m.connect.sockets)} (${n(m.connect.ms)}) | ${n(m.openedInWindow)} | ${n(m.tcp.TcpExtListenOverflows)} | ${n(m.tcp.TcpExtTCPSynRetrans)} | ≥ ${m.tail.thresholdMs} ms: ${m.tail.verdict} |`,
        ),
      ]
    : [];
  const pg = ol?.service.database;
  const database = pg
    ? [
        '',
        `PostgreSQL in the median service run, per request: ${pg.perRequest.statements} statements, ${pg.perRequest.execUs} µs executing, ` +
          `${pg.perRequest.blksHit} buffers hit, ${pg.perRequest.blksRead} read, ${n(pg.perRequest.walBytes)} bytes of WAL ` +
          `(${pg.perRequest.walFpi} full-page images); checkpoints in the window: ${(pg.bgwriter.checkpoints_timed ?? 0) + (pg.bgwriter.checkpoints_req ?? 0)}`,
        ...(ol.service.postgresByRole
          ? [
              '',
              `PostgreSQL's CPU in that run, µs per request by process: ${byRole(ol.service.postgresByRole)} ` +
                `(of ${ol.service.cpuUsPerRequest.postgres ?? '?'} in all; backends include protocol and TLS)`,
            ]
          : []),
        '',
        '| share of time | calls | µs/call | buffers hit/call | WAL bytes/call | statement |',
        '|---|---|---|---|---|---|',
        ...pg.top.map(
          (t) =>
            `| ${t.timePct} % | ${n(t.calls)} | ${t.execUsPerCall} | ${t.blksHitPerCall} | ${n(t.walBytesPerCall)} | \`${t.query.replace(/\|/g, '\\|')}\` |`,
        ),
      ]
    : [];
  const search = r.search
    ? [
        '',
        `Highest rate with p99 ≤ ${r.search.p99LimitMs} ms (steps of ${String(r.options.stepS)} s): **${n(r.search.maxRate)} req/s**`,
        '',
        '| scheduled req/s | done req/s | p50 ms | p99 ms | errors | generator lag p99 ms |',
        '|---|---|---|---|---|---|',
        ...r.search.steps.map(
          (x) =>
            `| ${n(x.rate)} | ${n(x.achievedRate)} | ${x.latencyMs.p50} | ${x.latencyMs.p99} | ${n(x.errors)} | ${x.dispatchLagMs.p99} |`,
        ),
      ]
    : [];
  const t = r.targets;
  const targets = [
    '',
    'Targets:',
    '',
    `- cache hit ≥ ${t.cache_hit_ratio} of floor: ${n(r.cache_hit_ratio)} — ${mark(r.met.cache_hit_ratio)}`,
    `- cache miss ≥ ${t.cache_miss_ratio} of floor: ${n(r.cache_miss_ratio)} — ${mark(r.met.cache_miss_ratio)}`,
    `- history ≥ ${t.history_ratio} of floor: ${n(r.history_ratio)} — ${mark(r.met.history_ratio)}`,
    `- history journal costs ≤ ${t.journal_cost_pct} % of cache-hit throughput: ${n(r.journal_cost_pct)} % — ${mark(r.met.journal_cost_pct)}` +
      (r.hit_rps_workers_1
        ? ` (cache hit: ${n(r.hit_rps_workers_1)} req/s on 1 worker, ${n(r.hit_rps_workers_2)} on 2)`
        : ''),
    `- open loop at ${t.open_loop_rate} req/s (median run), p99 ≤ ${t.open_loop_p99_ms} ms, p99.9 ≤ ${t.open_loop_p999_ms} ms, no errors: ${n(r.open_loop_p99_ms)} / ${n(r.open_loop_p999_ms)} ms — ${mark(r.met.open_loop_p99_ms)}`,
    `- PostgreSQL CPU per mixed request ≤ ${t.open_loop_postgres_us} µs: ${n(r.open_loop_postgres_us)} — ${mark(r.met.open_loop_postgres_us)}`,
    `- highest rate with p99 ≤ 100 ms ≥ ${n(t.max_rate_p99_100ms)} req/s: ${n(r.max_rate_p99_100ms)} — ${mark(r.met.max_rate_p99_100ms)}`,
    `- errors: ${n(r.errors)} — ${mark(r.met.errors)}`,
    `- lost history rows: ${n(r.lost_history_rows)} of ${n(r.acknowledged_inquiries)} acknowledged (${n(r.stored_history_rows)} stored) — ${mark(r.met.lost_history_rows)}`,
  ];
  return [
    `Bench of ${r.date} — ${String(r.machine.cpus)} × ${String(r.machine.cpuModel)}, Node ${String(r.machine.node)}, ` +
      `${String(r.options.connections)} connections, ${String(r.options.durationS)} s per run; load average at start ${String(r.machine.loadAverageAtStart)}`,
    '',
    ...closed,
    ...open,
    ...database,
    ...search,
    ...targets,
    '',
  ].join('\n');
}

const byRole = (roles: Record<string, number | null>): string =>
  Object.entries(roles)
    .map(([k, v]) => `${k} ${v ?? '?'}`)
    .join(', ');
