import { Gauge, type Registry } from '@prometheus-io/client';
import { archiveFailing } from '../alerts/definitions.js';
import { M } from '../metricNames.js';
import type { MonitorSnapshot } from '../snapshot.js';
import type { SnapshotCache } from '../snapshotCache.js';

type Set = (labels: Record<string, string>, value: number) => void;

/** Registers the database, host and backup gauges; each scrape reads one (cached) snapshot. */
export function registerDbMetrics(registry: Registry, cache: SnapshotCache): void {
  const gauge = (name: string, help: string, labelNames: string[], fill: (s: MonitorSnapshot, set: Set) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        fill(await cache.get(), (labels, value) => this.set(labels, value));
      },
    });
  const each = (s: MonitorSnapshot) => s.members.filter((m) => m.db).map((m) => ({ member: m.name, db: m.db! }));

  gauge(M.dbUp, 'Database member answers queries (1) or not (0)', ['member', 'role'], (s, set) =>
    s.members.forEach((m) => set({ member: m.name, role: m.role }, m.up ? 1 : 0)),
  );
  gauge(M.connUsed, 'Client connections in use', ['member'], (s, set) =>
    each(s).forEach(({ member, db }) => set({ member }, db.connections.used)),
  );
  gauge(M.connMax, 'max_connections of the server', ['member'], (s, set) =>
    each(s).forEach(({ member, db }) => set({ member }, db.connections.max)),
  );
  gauge(M.failedConn, 'Authentication failures in the server logs during the last minute', [], (s, set) =>
    set({}, s.failedConnectionsLastMin),
  );
  gauge(
    M.historyDeadLetter,
    'History rows in the dead-letter file, waiting for `bill-inquiry history replay`',
    [],
    (s, set) => set({}, s.deadLetterRows),
  );
  gauge(
    M.journalDiskBytes,
    'Bytes of history journal files in the data directory (all service processes)',
    [],
    (s, set) => set({}, s.journal.bytes),
  );
  gauge(
    M.journalBudgetUsed,
    'Largest history journal of one service process, in percent of service.history.journal.maxBytes (503 from 90 %)',
    [],
    (s, set) => set({}, s.journal.budgetUsedPercent),
  );
  gauge(M.longestActive, 'Run time of the longest active statement', ['member'], (s, set) =>
    each(s).forEach(({ member, db }) => set({ member }, (db.longestActive?.running_ms ?? 0) / 1000)),
  );
  gauge(M.cacheHit, 'Buffer cache hit ratio per database (§8.2)', ['member', 'datname'], (s, set) =>
    each(s).forEach(({ member, db }) =>
      db.databases.forEach((d) => d.cache_hit_ratio !== null && set({ member, datname: d.datname }, d.cache_hit_ratio)),
    ),
  );
  gauge(M.dbSize, 'Database size', ['datname'], (s, set) =>
    s.primary?.db?.databases.forEach((d) => set({ datname: d.datname }, d.size_bytes)),
  );
  gauge(M.tableSize, 'Total size of the largest tables (§11.2)', ['schema', 'table'], (s, set) =>
    s.primary?.db?.tables.forEach((t) => set({ schema: t.schemaname, table: t.tablename }, t.size_bytes)),
  );
  gauge(M.indexSize, 'Size of the largest indexes', ['schema', 'table', 'index'], (s, set) =>
    s.primary?.db?.indexes.forEach((i) =>
      set({ schema: i.schemaname, table: i.tablename, index: i.indexname }, i.size_bytes),
    ),
  );
  gauge(M.unusedIndex, 'Size of indexes never scanned (§11.2)', ['schema', 'table', 'index'], (s, set) =>
    s.primary?.db?.unusedIndexes.forEach((i) =>
      set({ schema: i.schemaname, table: i.tablename, index: i.indexname }, i.size_bytes),
    ),
  );
  gauge(M.stmtTotal, 'Total execution time of the top statements (pg_stat_statements, §8.2)', ['queryid'], (s, set) =>
    s.primary?.db?.slowStatements?.forEach((q) => set({ queryid: q.queryid }, q.total_ms / 1000)),
  );
  gauge(M.stmtMean, 'Mean execution time of the top statements', ['queryid'], (s, set) =>
    s.primary?.db?.slowStatements?.forEach((q) => set({ queryid: q.queryid }, q.mean_ms / 1000)),
  );
  gauge(M.replLag, 'Replay lag per replica as the primary sees it', ['replica'], (s, set) =>
    s.primary?.db?.replicas.forEach((r) => set({ replica: r.application_name }, r.lag_seconds)),
  );
  gauge(M.replExpected, 'Replicas that should be streaming', [], (s, set) => set({}, s.expectedReplicas));
  gauge(M.replStreaming, 'Replicas streaming from the primary', [], (s, set) => set({}, s.streamingReplicas));
  gauge(
    M.archFailed,
    'WAL segments that failed to archive (pg_stat_archiver, cumulative)',
    [],
    (s, set) => s.primary?.db && set({}, s.primary.db.archiver.failed_count),
  );
  gauge(
    M.archFailing,
    'The newest WAL archive attempt failed (1) or not (0)',
    [],
    (s, set) => s.primary?.db && set({}, archiveFailing(s.primary.db.archiver) ? 1 : 0),
  );
  gauge(M.backupConfigured, 'A backup system is configured (1) or not (0)', [], (s, set) =>
    set({}, s.backup.configured ? 1 : 0),
  );
  gauge(
    M.backupLast,
    'End time of the last successful backup (0 = none)',
    [],
    (s, set) => s.backup.configured && set({}, s.backup.lastSuccessAt ? Date.parse(s.backup.lastSuccessAt) / 1000 : 0),
  );
  gauge(M.backupFirstRunning, 'serve is taking the first full backup now (1) or not (0)', [], (s, set) =>
    set({}, s.backup.firstBackup ? 1 : 0),
  );
  gauge(M.hostCpu, 'Host CPU busy percent', [], (s, set) => s.host && set({}, s.host.cpuPercent));
  gauge(
    M.hostMemory,
    'Host memory used percent (MemAvailable)',
    [],
    (s, set) => s.host && set({}, s.host.memoryPercent),
  );
  gauge(
    M.hostDisk,
    'Used percent of the data directory file system',
    ['path'],
    (s, set) => s.host && set({ path: s.host.diskPath }, s.host.diskPercent),
  );
}
