import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import { externalBackupStatus } from './backup/azureBackupStatus.js';
import { backupStatus, type BackupStatus } from './backup/backupStatus.js';
import { logicalDumpStatus, type LogicalDumpStatus } from './backup/logicalDumps.js';
import { collectDb, type DbSnapshot } from './db/collectDb.js';
import { authFailures, readLogEvents, type AuthFailureWatch } from './db/serverLog.js';
import { DeadLetterFile } from '../service/history/deadLetter.js';
import { journalUsage } from '../service/history/journal/usage.js';
import { journalRoot } from '../service/history/historyWriter.js';
import { rowCount } from '../service/history/records.js';
import { hostStats, type HostStats } from './host/hostStats.js';
import { externalServerFigures, type ServerFigures } from './host/serverFigures.js';
import type { RequestRecorder } from './http/requestRecorder.js';
import { dataPath, memberSources, type MemberSource } from './members.js';
import { openTopology } from '../topology/open.js';
import type { MonitoredRuntime, ServiceSnapshot } from './serviceView.js';

export interface MemberHealth {
  name: string;
  port: number;
  running: boolean;
  /** Answers queries as the monitoring role. */
  up: boolean;
  role: 'primary' | 'replica' | 'unknown';
  error?: string;
  db?: DbSnapshot;
}

/** Everything alerts, checklists, /metrics and /ops look at, taken at one instant. */
export interface MonitorSnapshot {
  at: string;
  members: MemberHealth[];
  /** The member that is not in recovery. */
  primary?: MemberHealth;
  expectedReplicas: number;
  streamingReplicas: number;
  /** This machine's usage, taken only when it runs the database server (plain, ha topologies). */
  host?: HostStats;
  /** External topology: the server's own figures (Azure Monitor), or why they are not measured here. */
  server?: ServerFigures;
  failedConnectionsLastMin: number;
  /** History rows in the dead-letter file of the data dir (refused by the database, waiting for `history replay`). */
  deadLetterRows: number;
  /**
   * History journals in the data dir: all bytes, and the largest one process
   * holds against its budget (service.history.journal.maxBytes) in percent.
   */
  journal: { bytes: number; budgetUsedPercent: number };
  backup: BackupStatus;
  /** §9.1 weekly dumps in the Blob container, when one is configured. */
  logicalDumps?: LogicalDumpStatus;
  service?: ServiceSnapshot;
}

export interface SnapshotSources {
  runtime?: MonitoredRuntime;
  requests?: RequestRecorder;
  /** Long-running callers follow the server logs instead of re-reading their tails each time. */
  authFailures?: AuthFailureWatch;
}

export async function collectSnapshot(cfg: Readonly<Config>, sources: SnapshotSources = {}): Promise<MonitorSnapshot> {
  const now = new Date();
  const topology = openTopology(cfg);
  const list = await memberSources(cfg, topology);
  // An external server runs elsewhere: this machine's CPU, memory, disk and pgBackRest say nothing about it.
  const external = topology.kind === 'external';
  const [members, host, server, backup, logicalDumps] = await Promise.all([
    Promise.all(list.map((m) => memberHealth(cfg, m))),
    external
      ? undefined
      : dataPath(cfg, topology)
          .then((p) => hostStats(p, cfg.monitor.cpuSampleMs))
          .catch(() => undefined),
    external ? externalServerFigures(cfg, now) : undefined,
    external ? externalBackupStatus(cfg, now) : backupStatus(cfg, now),
    logicalDumpStatus(cfg, now),
  ]);
  const primary = members.find((m) => m.role === 'primary');
  const expected = cfg.monitor.expectedReplicas === 'auto' ? list.length - 1 : cfg.monitor.expectedReplicas;
  return {
    at: now.toISOString(),
    members,
    ...(primary ? { primary } : {}),
    expectedReplicas: expected,
    streamingReplicas: primary?.db?.replicas.filter((r) => r.state === 'streaming').length ?? 0,
    ...(host ? { host } : {}),
    ...(server ? { server } : {}),
    failedConnectionsLastMin: sources.authFailures
      ? sources.authFailures.lastMinute(
          list.flatMap((m) => (m.logDir ? [m.logDir] : [])),
          now,
        )
      : failedLastMinute(cfg, list, now),
    deadLetterRows: rowCount(new DeadLetterFile(cfg.dataDir).read()),
    journal: journalSnapshot(cfg),
    backup,
    ...(logicalDumps ? { logicalDumps } : {}),
    ...(sources.runtime ? { service: serviceSnapshot(sources.runtime, sources.requests) } : {}),
  };
}

function journalSnapshot(cfg: Readonly<Config>): MonitorSnapshot['journal'] {
  const usage = journalUsage(journalRoot(cfg.dataDir));
  const budget = cfg.service.history.journal.maxBytes;
  return { bytes: usage.bytes, budgetUsedPercent: Math.round((1000 * usage.largestProcessBytes) / budget) / 10 };
}

async function memberHealth(cfg: Readonly<Config>, m: MemberSource): Promise<MemberHealth> {
  const base = { name: m.name, port: m.port, running: m.running };
  if (!m.running) return { ...base, up: false, role: 'unknown', error: 'server not running' };
  try {
    const db = await collectDb(m.target(), cfg.monitor.topN);
    return { ...base, up: true, role: db.inRecovery ? 'replica' : 'primary', db };
  } catch (e) {
    return { ...base, up: false, role: 'unknown', error: errorMessage(e) };
  }
}

/** §8.1 "실패한 연결": authentication failures logged by every member in the last minute. */
function failedLastMinute(cfg: Readonly<Config>, members: MemberSource[], now: Date): number {
  const since = new Date(now.getTime() - 60_000);
  return members.reduce(
    (n, m) =>
      n +
      (m.logDir
        ? authFailures(readLogEvents(m.logDir, since, cfg.server.timezone, cfg.monitor.logTailBytes)).length
        : 0),
    0,
  );
}

export function serviceSnapshot(runtime: MonitoredRuntime, requests?: RequestRecorder): ServiceSnapshot {
  const cache = runtime.cacheStats();
  const lookups = cache.hits + cache.misses;
  return {
    breaker: runtime.breakerState(),
    cache: { ...cache, hitRatio: lookups ? (100 * cache.hits) / lookups : null },
    history: runtime.historyStats(),
    pools: runtime.poolStats(),
    http: requests?.stats() ?? { ratePerS: 0, p99Ms: null, requests: 0 },
  };
}
