import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/schema.js';
import { errorMessage } from '../../errors.js';
import { lastDbBench } from '../../platform/bench/dbBench.js';
import { ensureDir } from '../../system/osUser.js';
import { run } from '../../system/run.js';
import { openTopology } from '../../topology/open.js';
import type { MonitorSnapshot } from '../snapshot.js';
import { externalCapacityItem } from './externalItems.js';
import type { CheckItem } from './item.js';
import { logicalDumpItem } from './logicalDumpItem.js';

const DAY_MS = 86_400_000;

/** §14.1 weekly_checklist. */
export async function weeklyChecks(cfg: Readonly<Config>, s: MonitorSnapshot): Promise<CheckItem[]> {
  return [
    await failoverTest(cfg, s),
    restoreTest(s),
    logicalDumpItem(cfg, s),
    statistics(cfg, s),
    await securityPatches(s),
    capacityTrend(cfg, s),
  ];
}

/** A real switchover only where the config says the cluster is not production. */
async function failoverTest(cfg: Readonly<Config>, s: MonitorSnapshot): Promise<CheckItem> {
  const base = { id: 'failover', plan: '장애조치 메커니즘 테스트', title: 'failover mechanism test' };
  const standby = `${s.streamingReplicas} of ${s.expectedReplicas} standby(s) streaming`;
  if (!cfg.monitor.checks.allowSwitchover) {
    return {
      ...base,
      status: 'warn',
      detail: `not run: switchover is disabled for this cluster (monitor.checks.allowSwitchover=false, production); readiness: ${standby}`,
      action:
        'run this check on a staging cluster with monitor.checks.allowSwitchover=true, or a planned switchover in a maintenance window (§13.3)',
    };
  }
  const local = openTopology(cfg).local;
  if (!local?.switchover) {
    return {
      ...base,
      status: 'warn',
      detail: `no HA manager (Patroni) configured: a plain replica cannot be switched over automatically; readiness: ${standby}`,
      action: 'start the HA cluster (`bill-inquiry cluster up --ha`) to test automatic failover',
    };
  }
  try {
    const r = await local.switchover();
    const target = cfg.monitor.checks.failoverTargetS;
    const ok = r.seconds <= target;
    return {
      ...base,
      status: ok ? 'pass' : 'warn',
      detail: `switchover ${r.from} → ${r.to} completed in ${r.seconds.toFixed(1)} s (§2.2 target ${target} s)`,
      action: 'failover slower than the plan: check Patroni timings (ha.*) and replica lag',
    };
  } catch (e) {
    return {
      ...base,
      status: 'fail',
      detail: `switchover failed: ${errorMessage(e)}`,
      action: 'check Patroni and etcd (`bill-inquiry cluster status`) before relying on failover',
    };
  }
}

function restoreTest(s: MonitorSnapshot): CheckItem {
  const base = { id: 'restore-test', plan: '백업 복구 테스트 수행', title: 'backup restore test' };
  if (!s.backup.configured)
    return {
      ...base,
      status: 'warn',
      detail: 'warn: no backups configured — nothing to restore',
      action: 'configure pgBackRest first (§9.1)',
    };
  return {
    ...base,
    status: 'warn',
    detail: `${s.backup.lastSuccessAt ? `last backup ${s.backup.lastSuccessAt}` : 'no successful backup yet'}; a restore is not run by this check because it needs a separate server`,
    action:
      'run `bill-inquiry restore` (PITR onto a separate cluster with an integrity check) and compare its time with the RTO of 30 min (§9.2)',
  };
}

function statistics(cfg: Readonly<Config>, s: MonitorSnapshot): CheckItem {
  const base = { id: 'statistics', plan: '성능 통계 분석 및 튜닝', title: 'statistics and tuning' };
  const tables = s.primary?.db?.tables;
  if (!tables)
    return { ...base, status: 'fail', detail: 'no primary to read statistics from', action: 'start the cluster' };
  const c = cfg.monitor.checks;
  const name = (t: (typeof tables)[number]) => `${t.schemaname}.${t.tablename}`;
  const vacuum = tables.filter(
    (t) => t.dead_tuples > 0 && t.dead_tuples > c.deadTupleRatio * Math.max(t.live_tuples, 1),
  );
  const analyze = tables.filter((t) => t.live_tuples > 0 && !t.last_analyze && !t.last_autoanalyze);
  const seq = tables.filter((t) => t.size_bytes >= c.largeTableBytes && t.seq_scan > t.idx_scan);
  const unused = s.primary!.db!.unusedIndexes;
  const notes = [
    vacuum.length ? `needs VACUUM (dead > ${c.deadTupleRatio * 100} %): ${vacuum.map(name).join(', ')}` : '',
    analyze.length ? `never analyzed: ${analyze.map(name).join(', ')}` : '',
    seq.length ? `sequential scans dominate on large tables: ${seq.map(name).join(', ')}` : '',
    unused.length ? `${unused.length} unused index(es): ${unused.map((i) => i.indexname).join(', ')}` : '',
  ].filter(Boolean);
  return {
    ...base,
    status: notes.length ? 'warn' : 'pass',
    detail: `${notes.join('; ') || `${tables.length} largest tables: statistics current, no dominant seq scans`}; ${benchNote(cfg)}`,
    action:
      'VACUUM (ANALYZE) the tables named; review indexes for the seq-scanned ones; drop indexes unused for a month (§11.2)',
  };
}

/** The last §13.2 pgbench figures (`db bench`), for comparing week to week. */
function benchNote(cfg: Readonly<Config>): string {
  const b = lastDbBench(cfg);
  if (!b) return 'no pgbench result yet (§13.2: `bill-inquiry db bench`)';
  return `last pgbench (§13.2, ${b.at.slice(0, 10)}, scale ${b.scale}, ${b.clients} clients, ${b.durationSeconds} s): ${b.tps.toFixed(0)} tps, ${b.latencyAvgMs} ms average latency`;
}

/** Installed vs newest known minor version, from the local apt cache (no network). */
async function securityPatches(s: MonitorSnapshot): Promise<CheckItem> {
  const base = { id: 'security-patches', plan: '보안 패치 적용 검토', title: 'security patch review' };
  const version = s.primary?.db?.version ?? s.members.find((m) => m.db)?.db?.version;
  if (!version)
    return {
      ...base,
      status: 'fail',
      detail: 'server version unknown: no member answers',
      action: 'start the cluster',
    };
  const major = version.split('.')[0];
  const policy = await run('apt-cache', ['policy', `postgresql-${major}`]).catch(() => undefined);
  const installed = /Installed: (\S+)/.exec(policy?.stdout ?? '')?.[1];
  const candidate = /Candidate: (\S+)/.exec(policy?.stdout ?? '')?.[1];
  if (!installed || installed === '(none)' || !candidate) {
    return {
      ...base,
      status: 'warn',
      detail: `server ${version}; no Debian package postgresql-${major} to compare with`,
      action: 'compare with the current minor release at https://www.postgresql.org/support/versioning/',
    };
  }
  const behind = installed !== candidate;
  return {
    ...base,
    status: behind ? 'warn' : 'pass',
    detail: `server ${version}; package postgresql-${major} installed ${installed}, newest in the local apt cache ${candidate} (run apt-get update to refresh)`,
    action: behind
      ? `apply the minor update (apt-get install postgresql-${major}) during the maintenance window, replica first`
      : undefined,
  };
}

interface CapacitySample {
  at: string;
  dbBytes: number;
  diskUsedBytes: number;
  diskTotalBytes: number;
}

/** Appends today's sizes to `<dataDir>/monitor/capacity.jsonl` and projects when the disk alert would be reached. */
function capacityTrend(cfg: Readonly<Config>, s: MonitorSnapshot): CheckItem {
  const base = { id: 'capacity', plan: '용량 계획 검토', title: 'capacity trend' };
  if (s.server) return externalCapacityItem(base, s.server);
  if (!s.host || !s.primary?.db)
    return { ...base, status: 'fail', detail: 'sizes unavailable', action: 'start the cluster' };
  const file = path.join(cfg.dataDir, 'monitor', 'capacity.jsonl');
  ensureDir(path.dirname(file), 0o700);
  const now: CapacitySample = {
    at: s.at,
    dbBytes: s.primary.db.databases.reduce((n, d) => n + d.size_bytes, 0),
    diskUsedBytes: s.host.diskUsedBytes,
    diskTotalBytes: s.host.diskTotalBytes,
  };
  const history = existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as CapacitySample)
    : [];
  appendFileSync(file, `${JSON.stringify(now)}\n`, { mode: 0o600 });
  const oldest = history.find((h) => Date.parse(s.at) - Date.parse(h.at) <= 30 * DAY_MS);
  const gb = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GB`;
  const limit = (cfg.monitor.alerts.diskPercent.threshold / 100) * now.diskTotalBytes;
  const days = oldest ? (Date.parse(s.at) - Date.parse(oldest.at)) / DAY_MS : 0;
  if (days < 1) {
    return {
      ...base,
      status: 'pass',
      detail: `databases ${gb(now.dbBytes)}, disk ${gb(now.diskUsedBytes)} of ${gb(now.diskTotalBytes)}; trend needs samples at least a day apart (recorded in ${file})`,
    };
  }
  const perDay = (now.diskUsedBytes - oldest!.diskUsedBytes) / days;
  const daysLeft = perDay > 0 ? (limit - now.diskUsedBytes) / perDay : Number.POSITIVE_INFINITY;
  return {
    ...base,
    status: daysLeft < 30 ? 'warn' : 'pass',
    detail: `databases ${gb(now.dbBytes)}; disk grows ${gb(perDay)}/day; ${Number.isFinite(daysLeft) ? `${Math.max(0, Math.floor(daysLeft))} days` : 'no growth'} until ${cfg.monitor.alerts.diskPercent.threshold} %`,
    action: 'grow the storage before the disk alert fires (Azure auto-grow, §2.1) or shorten retention',
  };
}
