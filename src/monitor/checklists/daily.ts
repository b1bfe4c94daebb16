import type { Config } from '../../config/schema.js';
import { archiveFailing } from '../alerts/definitions.js';
import { backupCheckOverride } from '../backup/backupState.js';
import { evaluateAlerts, type AlertResult } from '../alerts/evaluate.js';
import { VERIFY_APPLICATION_NAME } from '../../platform/verify/check.js';
import { readLogEvents } from '../db/serverLog.js';
import { memberSources, type MemberSource } from '../members.js';
import type { MonitorSnapshot } from '../snapshot.js';
import type { CheckItem } from './item.js';
import { connectionBudget, readPoolOnPrimary } from '../../platform/connectionBudget.js';

const DAY_MS = 86_400_000;

/** §14.1 daily_checklist, each item checked against the live cluster. */
export async function dailyChecks(cfg: Readonly<Config>, s: MonitorSnapshot): Promise<CheckItem[]> {
  const alerts = evaluateAlerts(cfg, s);
  const alert = (n: AlertResult['name']) => alerts.find((a) => a.name === n);
  return [
    serverUp(s),
    usage(alert),
    backup(cfg, s),
    slowQueries(cfg, s),
    errorLog(cfg, await memberSources(cfg)),
    connections(cfg, s, alert),
    budget(cfg, s),
  ];
}

/** The services' connections (pool × instances + reserve) against max_connections, before the autoscaler finds out. */
function budget(cfg: Readonly<Config>, s: MonitorSnapshot): CheckItem {
  const base = {
    id: 'connection-budget',
    plan: '연결 수 및 성능 지표 확인',
    title: 'connection budget of the services',
  };
  const conn = s.primary?.db?.connections;
  if (!conn)
    return { ...base, status: 'fail', detail: 'no primary answers', action: 'start the cluster (see the server item)' };
  const b = connectionBudget(
    cfg.pool,
    { maxConnections: conn.max, superuserReserved: conn.reserved },
    1,
    readPoolOnPrimary(cfg),
  );
  return { ...base, status: b.status, detail: b.detail, action: b.action };
}

function serverUp(s: MonitorSnapshot): CheckItem {
  const down = s.members.filter((m) => !m.up);
  const primaryDown = !s.primary;
  return {
    id: 'server',
    plan: '서버 상태 및 가용성 확인',
    title: 'server status and availability',
    status: primaryDown ? 'fail' : down.length ? 'warn' : 'pass',
    detail: s.members
      .map((m) => `${m.name} (${m.role}, port ${m.port}): ${m.up ? 'up' : `DOWN — ${m.error}`}`)
      .join('; '),
    action: primaryDown
      ? 'no primary answers: check failover (§9.2 scenario 1), the server log, then `bill-inquiry cluster up`'
      : 'a replica is down: start it (`bill-inquiry cluster up --replica`) and check its log',
  };
}

function usage(alert: (n: AlertResult['name']) => AlertResult | undefined): CheckItem {
  const items = (['cpuPercent', 'memoryPercent', 'diskPercent'] as const)
    .map(alert)
    .filter((a): a is AlertResult => !!a);
  const firing = items.filter((a) => a.firing);
  return {
    id: 'usage',
    plan: 'CPU/메모리/디스크 사용률 점검',
    title: 'CPU, memory and disk usage',
    status: items.some((a) => a.value === undefined) ? 'warn' : firing.length ? 'fail' : 'pass',
    detail: items.map((a) => `${a.detail} (limit ${a.threshold} %)`).join('; '),
    action: firing.map((a) => a.action).join('; ') || 'usage could not be measured: check the data directory path',
  };
}

function backup(cfg: Readonly<Config>, s: MonitorSnapshot): CheckItem {
  const b = s.backup;
  const base = { id: 'backup', plan: '백업 성공 여부 확인', title: 'backup succeeded' };
  const special = backupCheckOverride(b);
  if (special) return { ...base, ...special };
  if (!b.configured)
    return {
      ...base,
      status: 'warn',
      detail: 'warn: no backups configured',
      action:
        'configure pgBackRest: `bill-inquiry cluster up` writes its config and stanza when pgbackrest is installed; then `bill-inquiry backup run` — without backups there is no PITR (§9.1)',
    };
  if (b.ageHours === undefined)
    return {
      ...base,
      status: 'fail',
      detail: b.error ?? 'no successful backup found',
      action: 'take a backup now (`bill-inquiry backup run`) and check the schedule',
    };
  const maxH = cfg.monitor.alerts.backupAgeH.threshold;
  const archive = s.primary?.db?.archiver;
  return {
    ...base,
    status: b.ageHours >= maxH || (archive && archiveFailing(archive)) ? 'fail' : 'pass',
    detail: `last successful backup ${b.lastSuccessAt} (${b.ageHours.toFixed(1)} h ago, limit ${maxH} h)${archive ? `; WAL archive ${archive.failed_count} failed / ${archive.archived_count} archived` : ''}`,
    action: cfg.monitor.alerts.backupAgeH.action,
  };
}

function slowQueries(cfg: Readonly<Config>, s: MonitorSnapshot): CheckItem {
  const base = { id: 'slow-queries', plan: '슬로우 쿼리 로그 검토', title: 'slow queries (pg_stat_statements)' };
  if (!s.primary)
    return {
      ...base,
      status: 'fail',
      detail: 'no primary answers: statement statistics unavailable',
      action: 'start the cluster (see the server item)',
    };
  const stmts = s.primary.db?.slowStatements;
  if (!stmts)
    return {
      ...base,
      status: 'warn',
      detail: 'pg_stat_statements is not installed in the monitored database',
      action: 'run `bill-inquiry db apply` (creates the extension, §5.1)',
    };
  const slowMean = cfg.server.logMinDurationStatementMs;
  const slow = stmts.filter((q) => q.total_ms > cfg.monitor.slowTotalMs || q.mean_ms >= slowMean);
  return {
    ...base,
    status: slow.length ? 'warn' : 'pass',
    detail: slow.length
      ? `${slow.length} statement(s) over ${cfg.monitor.slowTotalMs / 1000} s total or ${slowMean} ms mean: ${slow
          .slice(0, 3)
          .map(
            (q) =>
              `${q.query.slice(0, 60)} (mean ${q.mean_ms.toFixed(0)} ms, total ${(q.total_ms / 1000).toFixed(1)} s)`,
          )
          .join(' | ')}`
      : `no statement over ${cfg.monitor.slowTotalMs / 1000} s total or ${slowMean} ms mean`,
    action: 'EXPLAIN (ANALYZE, BUFFERS) the statements listed; add indexes or rewrite (§8.2)',
  };
}

/**
 * ERROR/FATAL/PANIC lines of the last 24 h in every member's server log —
 * except the refusals `db verify` provokes on purpose (its privilege probes
 * run as application_name bill-inquiry-verify): they prove the plan, they are
 * not faults.
 */
function errorLog(cfg: Readonly<Config>, members: MemberSource[]): CheckItem {
  const since = new Date(Date.now() - DAY_MS);
  const counts = { ERROR: 0, FATAL: 0, PANIC: 0 };
  const samples = new Map<string, number>();
  let probes = 0;
  for (const m of members) {
    if (!m.logDir) continue;
    for (const e of readLogEvents(m.logDir, since, cfg.server.timezone, cfg.monitor.logTailBytes)) {
      if (!(e.level in counts)) continue;
      if (e.app === VERIFY_APPLICATION_NAME) {
        probes++;
        continue;
      }
      counts[e.level as keyof typeof counts]++;
      const key = `${e.level}: ${e.message.replace(/"[^"]*"/g, '"…"').slice(0, 80)}`;
      samples.set(key, (samples.get(key) ?? 0) + 1);
    }
  }
  const top = [...samples]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([m, n]) => `${n}× ${m}`);
  return {
    id: 'error-log',
    plan: '오류 로그 검토',
    title: 'error log review (last 24 h)',
    status: counts.PANIC ? 'fail' : counts.ERROR || counts.FATAL ? 'warn' : 'pass',
    detail: `${counts.ERROR} ERROR, ${counts.FATAL} FATAL, ${counts.PANIC} PANIC${top.length ? ` — ${top.join(' | ')}` : ''}${probes ? ` (not counted: ${probes} refusal(s) provoked by db verify's probes)` : ''}${members.some((m) => !m.logDir) ? ' (external members: their logs are not on this machine)' : ''}`,
    action: counts.PANIC
      ? 'PANIC = crash: read the log around it and check data integrity now'
      : 'read the most frequent messages; fix the application or access causing them',
  };
}

function connections(
  cfg: Readonly<Config>,
  s: MonitorSnapshot,
  alert: (n: AlertResult['name']) => AlertResult | undefined,
): CheckItem {
  const conn = alert('connectionsPercent');
  const failed = alert('failedConnectionsPerMin');
  const slow = alert('responseTimeMs');
  const db = s.primary?.db?.databases.find((d) => d.datname === (cfg.monitor.database ?? cfg.database.name));
  const hitLow = db?.cache_hit_ratio != null && db.cache_hit_ratio < cfg.monitor.checks.cacheHitRatioMinPercent;
  const firing = [conn, failed, slow].filter((a) => a?.firing);
  if (!s.primary)
    return {
      id: 'connections',
      plan: '연결 수 및 성능 지표 확인',
      title: 'connections and performance',
      status: 'fail',
      detail: 'no primary answers',
      action: 'start the cluster (see the server item)',
    };
  return {
    id: 'connections',
    plan: '연결 수 및 성능 지표 확인',
    title: 'connections and performance',
    status: firing.length ? 'fail' : hitLow ? 'warn' : 'pass',
    detail: [
      conn?.detail,
      failed?.detail,
      `cache hit ratio ${db?.cache_hit_ratio ?? 'n/a'} % (min ${cfg.monitor.checks.cacheHitRatioMinPercent} %)`,
      slow?.detail,
    ]
      .filter(Boolean)
      .join('; '),
    action:
      firing.map((a) => a!.action).join('; ') ||
      'cache hit ratio low: raise shared_buffers or reduce the working set (§5.1)',
  };
}
