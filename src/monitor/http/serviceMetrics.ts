import { Counter, Gauge, Histogram, type Registry } from '@prometheus-io/client';
import { M } from '../metricNames.js';
import { isOpen, type KosCallEvent, type MonitoredRuntime } from '../serviceView.js';

/** §8.1 response time 500 ms sits on a bucket edge so the alert's p99 is exact there. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface HttpMetrics {
  observe(route: string, method: string, status: number, seconds: number, errorCode?: string): void;
}

export function registerHttpMetrics(registry: Registry): HttpMetrics {
  const duration = new Histogram({
    name: M.httpDuration,
    help: 'HTTP request latency per route',
    labelNames: ['method', 'route', 'status_code'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const requests = new Counter({
    name: M.httpRequests,
    help: 'HTTP requests per route and status',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  });
  const errors = new Counter({
    name: M.httpErrors,
    help: 'HTTP error responses by status and error code',
    labelNames: ['route', 'status_code', 'code'],
    registers: [registry],
  });
  // Label children per (method, route, status), made once: prom-client hashes a label object on every call otherwise.
  const children = new Map<
    string,
    { duration: ReturnType<typeof duration.labels>; requests: ReturnType<typeof requests.labels> }
  >();
  return {
    observe(route, method, status, seconds, errorCode) {
      const key = `${method} ${status} ${route}`;
      let child = children.get(key);
      if (!child) {
        const labels = { method, route, status_code: String(status) };
        children.set(key, (child = { duration: duration.labels(labels), requests: requests.labels(labels) }));
      }
      child.duration.observe(seconds);
      child.requests.inc();
      if (status >= 400) errors.inc({ route, status_code: String(status), code: errorCode ?? String(status) });
    },
  };
}

/** KOS calls (from runtime events) and the runtime's breaker, cache, history and pool figures. */
export function registerRuntimeMetrics(registry: Registry, runtime: MonitoredRuntime): () => void {
  const kosDuration = new Histogram({
    name: M.kosDuration,
    help: 'KOS upstream call latency',
    labelNames: ['outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const kosCalls = new Counter({
    name: M.kosCalls,
    help: 'KOS upstream calls by outcome and result code',
    labelNames: ['outcome', 'result_code'],
    registers: [registry],
  });
  const onKos = (e: KosCallEvent) => {
    kosDuration.observe({ outcome: e.outcome }, e.durationMs / 1000);
    kosCalls.inc({ outcome: e.outcome, result_code: e.resultCode ?? '' });
  };
  runtime.events.on('kosCall', onKos);

  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    fill: (set: (l: Record<string, string>, v: number) => void) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        fill((l, v) => this.set(l, v));
      },
    });
  // Totals kept by the runtime are exposed as counters by re-setting them on each scrape.
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });

  gauge(M.breakerOpen, 'KOS circuit breaker open (1) or not (0)', [], (set) =>
    set({}, isOpen(runtime.breakerState()) ? 1 : 0),
  );
  gauge(M.breakerState, 'KOS circuit breaker state (1 for the current one)', ['state'], (set) =>
    set({ state: runtime.breakerState() }, 1),
  );
  counter(M.cacheHits, 'Bill cache hits', () => runtime.cacheStats().hits);
  counter(M.cacheMisses, 'Bill cache misses', () => runtime.cacheStats().misses);
  gauge(M.cacheSize, 'Bill cache entries', [], (set) => set({}, runtime.cacheStats().size));
  gauge(M.cacheRatio, 'Bill cache hit ratio since start', [], (set) => {
    const c = runtime.cacheStats();
    if (c.hits + c.misses) set({}, (100 * c.hits) / (c.hits + c.misses));
  });
  gauge(M.historyQueued, 'Inquiry history rows waiting to be written', [], (set) =>
    set({}, runtime.historyStats().queued),
  );
  counter(M.historyFlushed, 'Inquiry history rows written', () => runtime.historyStats().flushed);
  counter(M.historyFailed, 'Failed history flushes', () => runtime.historyStats().failedFlushes);
  counter(
    M.historyDeadLettered,
    'History rows the database refused, kept in the dead-letter file (history replay)',
    () => runtime.historyStats().deadLettered,
  );
  gauge(M.historyLag, 'Age of the oldest row at the last history flush', [], (set) =>
    set({}, runtime.historyStats().lastFlushLagMs / 1000),
  );
  // The durable journal of this process (absent when service.history.journal.enabled is false).
  const journal = () => runtime.historyStats().journal;
  const journalGauge = (name: string, help: string, read: (j: NonNullable<ReturnType<typeof journal>>) => number) =>
    gauge(name, help, [], (set) => {
      const j = journal();
      if (j) set({}, read(j));
    });
  const journalCounter = (name: string, help: string, read: (j: NonNullable<ReturnType<typeof journal>>) => number) =>
    counter(name, help, () => {
      const j = journal();
      return j ? read(j) : 0;
    });
  journalGauge(M.journalBytes, 'Bytes of this process’s history journal (own and adopted files)', (j) => j.bytes);
  journalGauge(
    M.journalOutstanding,
    'Journaled history rows the database has not committed yet',
    (j) => j.outstandingRows,
  );
  journalCounter(M.journalAppended, 'History rows appended to the journal', (j) => j.appendedRows);
  journalCounter(M.journalWrites, 'Journal group commits (one write each)', (j) => j.writes);
  journalCounter(M.journalWriteErrors, 'Journal writes that failed (their requests got 503)', (j) => j.writeErrors);
  journalCounter(M.journalFsyncs, 'Journal fdatasync calls', (j) => j.fsyncs);
  journalGauge(M.journalFsyncSeconds, 'Duration of the last journal fdatasync', (j) => j.lastFsyncMs / 1000);
  journalCounter(M.journalReplayed, 'History rows read back from journals of dead processes', (j) => j.replayedRows);
  journalGauge(M.journalReplayPending, 'Adopted journal files not replayed yet', (j) => j.replayPendingSegments);
  gauge(M.pool, 'Database pool connections per pool and state', ['pool', 'state'], (set) => {
    for (const [pool, s] of Object.entries(runtime.poolStats())) {
      set({ pool, state: 'total' }, s.total);
      set({ pool, state: 'idle' }, s.idle);
      set({ pool, state: 'waiting' }, s.waiting);
    }
  });
  // The supervisor (serve started PostgreSQL itself): restarts after a crash, and what is down right now.
  const supervision = () => runtime.supervisionStats?.();
  gauge(M.supervised, 'This process supervises the database servers it started (1) or none (0)', [], (set) =>
    set({}, supervision() ? 1 : 0),
  );
  counter(
    M.supervisorRestarts,
    'Database server processes restarted after they died (kill -9, crash)',
    () => supervision()?.restarts ?? 0,
  );
  counter(
    M.supervisorFailed,
    'Restart attempts that failed (retried with backoff)',
    () => supervision()?.failedAttempts ?? 0,
  );
  gauge(M.supervisedDown, 'Supervised database server processes down right now', [], (set) =>
    set({}, supervision()?.down.length ?? 0),
  );
  return () => runtime.events.off('kosCall', onKos);
}
