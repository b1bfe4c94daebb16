import type { Config } from '../../config/schema.js';
import type { AlertName } from '../../config/sections/monitor.js';
import { backupAlertOverride } from '../backup/backupState.js';
import { M } from '../metricNames.js';
import { isOpen } from '../serviceView.js';
import type { MonitorSnapshot } from '../snapshot.js';

/** What the tool measured for one alert; `value` undefined = no data (not firing, said so). */
export interface Measured {
  value?: number;
  firing: boolean;
  detail: string;
}

/** One §8.1 alert: how Prometheus computes it and how the tool evaluates it itself. */
export interface AlertDefinition {
  name: AlertName;
  /** Prometheus alert name. */
  alert: string;
  title: string;
  metric: string;
  unit: string;
  /** PromQL condition; the threshold comes from the config. */
  expr(cfg: Readonly<Config>): string;
  evaluate(s: MonitorSnapshot, cfg: Readonly<Config>): Measured;
}

const t = (cfg: Readonly<Config>, name: AlertName) => cfg.monitor.alerts[name].threshold;
const atLeast = (value: number | undefined, threshold: number, detail: string): Measured =>
  value === undefined ? { firing: false, detail: 'no data' } : { value, firing: value >= threshold, detail };
const pct = (n: number) => `${n.toFixed(1)} %`;

export const ALERTS: AlertDefinition[] = [
  {
    name: 'instanceDown',
    alert: 'BillInquiryDatabaseDown',
    title: 'database server down',
    metric: M.dbUp,
    unit: 'members down',
    expr: () => `${M.dbUp} == 0`,
    evaluate: (s) => {
      const down = s.members.filter((m) => !m.up);
      return {
        value: down.length,
        firing: down.length > 0,
        detail: down.length ? down.map((m) => `${m.name}: ${m.error}`).join('; ') : 'all members answer',
      };
    },
  },
  {
    name: 'cpuPercent',
    alert: 'BillInquiryCpuHigh',
    title: 'CPU usage',
    metric: M.hostCpu,
    unit: '%',
    expr: (c) => `${M.hostCpu} >= ${t(c, 'cpuPercent')}`,
    evaluate: (s, c) => atLeast(s.host?.cpuPercent, t(c, 'cpuPercent'), `CPU ${pct(s.host?.cpuPercent ?? 0)}`),
  },
  {
    name: 'memoryPercent',
    alert: 'BillInquiryMemoryHigh',
    title: 'memory usage',
    metric: M.hostMemory,
    unit: '%',
    expr: (c) => `${M.hostMemory} >= ${t(c, 'memoryPercent')}`,
    evaluate: (s, c) =>
      atLeast(s.host?.memoryPercent, t(c, 'memoryPercent'), `memory ${pct(s.host?.memoryPercent ?? 0)}`),
  },
  {
    name: 'diskPercent',
    alert: 'BillInquiryDiskHigh',
    title: 'disk usage of the data directory',
    metric: M.hostDisk,
    unit: '%',
    expr: (c) => `${M.hostDisk} >= ${t(c, 'diskPercent')}`,
    evaluate: (s, c) =>
      atLeast(s.host?.diskPercent, t(c, 'diskPercent'), `disk ${pct(s.host?.diskPercent ?? 0)} of ${s.host?.diskPath}`),
  },
  {
    name: 'connectionsPercent',
    alert: 'BillInquiryConnectionsHigh',
    title: 'connections vs max_connections',
    metric: `${M.connUsed} / ${M.connMax}`,
    unit: '% of max',
    expr: (c) => `100 * ${M.connUsed} / ${M.connMax} >= ${t(c, 'connectionsPercent')}`,
    evaluate: (s, c) => {
      const conn = s.primary?.db?.connections;
      if (!conn) return { firing: false, detail: 'no data' };
      const limit = connectionLimit(conn.max, t(c, 'connectionsPercent'));
      return {
        value: conn.used,
        firing: conn.used >= limit,
        detail: `${conn.used} of ${conn.max} connections (alert at ${limit})`,
      };
    },
  },
  {
    name: 'responseTimeMs',
    alert: 'BillInquiryResponseSlow',
    title: 'response time (service p99, running statements)',
    metric: `${M.httpDuration} p99, ${M.longestActive}`,
    unit: 'ms',
    expr: (c) =>
      `1000 * histogram_quantile(0.99, sum by (le) (rate(${M.httpDuration}_bucket[5m]))) >= ${t(c, 'responseTimeMs')} or 1000 * max(${M.longestActive}) >= ${t(c, 'responseTimeMs')}`,
    evaluate: (s, c) => {
      const active = s.members
        .map((m) => m.db?.longestActive)
        .filter((a) => a !== undefined)
        .sort((a, b) => b.running_ms - a.running_ms)[0];
      const p99 = s.service?.http.p99Ms ?? undefined;
      const worst = Math.max(active?.running_ms ?? 0, p99 ?? 0);
      const parts = [
        p99 !== undefined ? `service p99 ${Math.round(p99)} ms` : undefined,
        active
          ? `statement running ${Math.round(active.running_ms)} ms (pid ${active.pid}): ${active.query.slice(0, 80)}`
          : 'no statement running',
      ];
      return {
        value: Math.round(worst),
        firing: worst >= t(c, 'responseTimeMs'),
        detail: parts.filter(Boolean).join('; '),
      };
    },
  },
  {
    name: 'failedConnectionsPerMin',
    alert: 'BillInquiryFailedConnections',
    title: 'failed connections per minute',
    metric: M.failedConn,
    unit: '/min',
    expr: (c) => `sum(${M.failedConn}) >= ${t(c, 'failedConnectionsPerMin')}`,
    evaluate: (s, c) =>
      atLeast(
        s.failedConnectionsLastMin,
        t(c, 'failedConnectionsPerMin'),
        `${s.failedConnectionsLastMin} authentication failures in the last minute`,
      ),
  },
  {
    name: 'replicationLagS',
    alert: 'BillInquiryReplicationLag',
    title: 'replication lag / replica not streaming',
    metric: `${M.replLag}, ${M.replExpected} - ${M.replStreaming}`,
    unit: 's',
    expr: (c) =>
      `max(${M.replLag}) >= ${t(c, 'replicationLagS')} or (max(${M.replExpected}) - max(${M.replStreaming})) > 0`,
    evaluate: (s, c) => {
      const missing = s.expectedReplicas - s.streamingReplicas;
      const lag = Math.max(0, ...(s.primary?.db?.replicas.map((r) => r.lag_seconds) ?? []));
      const detail = `${s.streamingReplicas} of ${s.expectedReplicas} replicas streaming, max lag ${lag.toFixed(1)} s`;
      return { value: lag, firing: missing > 0 || lag >= t(c, 'replicationLagS'), detail };
    },
  },
  {
    name: 'backupAgeH',
    alert: 'BillInquiryBackupOld',
    title: 'age of the last successful backup',
    metric: M.backupLast,
    unit: 'h',
    expr: (c) =>
      `${M.backupConfigured} == 1 and (time() - ${M.backupLast}) / 3600 >= ${t(c, 'backupAgeH')} unless ${M.backupFirstRunning} == 1`,
    evaluate: (s, c) => {
      const b = s.backup;
      const special = backupAlertOverride(b);
      if (special) return special;
      if (!b.configured) return { firing: false, detail: 'no backups configured' };
      if (b.ageHours === undefined)
        return { value: Number.POSITIVE_INFINITY, firing: true, detail: b.error ?? 'no successful backup yet' };
      return {
        value: b.ageHours,
        firing: b.ageHours >= t(c, 'backupAgeH'),
        detail: `last successful backup ${b.lastSuccessAt} (${b.ageHours.toFixed(2)} h ago)`,
      };
    },
  },
  {
    name: 'walArchiveFailures',
    alert: 'BillInquiryWalArchiveFailing',
    title: 'WAL archiving failing',
    metric: M.archFailing,
    unit: 'failing',
    expr: (c) => `${M.archFailing} >= ${t(c, 'walArchiveFailures')}`,
    evaluate: (s, c) => {
      const a = s.primary?.db?.archiver;
      if (!a) return { firing: false, detail: 'no data' };
      const failing = archiveFailing(a) ? 1 : 0;
      return {
        value: failing,
        firing: failing >= t(c, 'walArchiveFailures'),
        detail: `archive_mode=${a.archive_mode}, ${a.failed_count} failed / ${a.archived_count} archived${failing ? `, last failure ${a.last_failed_wal}` : ''}`,
      };
    },
  },
  {
    name: 'breakerOpen',
    alert: 'BillInquiryKosBreakerOpen',
    title: 'KOS circuit breaker open',
    metric: M.breakerOpen,
    unit: 'open',
    expr: (c) => `${M.breakerOpen} >= ${t(c, 'breakerOpen')}`,
    evaluate: (s, c) =>
      s.service
        ? atLeast(isOpen(s.service.breaker) ? 1 : 0, t(c, 'breakerOpen'), `breaker ${s.service.breaker}`)
        : { firing: false, detail: 'service not running in this process' },
  },
  {
    name: 'historyDeadLetter',
    alert: 'BillInquiryHistoryDeadLetter',
    title: 'history rows refused by the database (dead-letter file)',
    metric: M.historyDeadLetter,
    unit: 'rows',
    expr: (c) => `${M.historyDeadLetter} >= ${t(c, 'historyDeadLetter')}`,
    evaluate: (s, c) =>
      atLeast(
        s.deadLetterRows,
        t(c, 'historyDeadLetter'),
        `${s.deadLetterRows} history row(s) waiting for \`history replay\``,
      ),
  },
  {
    name: 'historyJournal',
    alert: 'BillInquiryHistoryJournalFilling',
    title: 'history journal filling its disk budget (the database is not taking history)',
    metric: M.journalBudgetUsed,
    unit: '% of budget',
    expr: (c) => `${M.journalBudgetUsed} >= ${t(c, 'historyJournal')}`,
    evaluate: (s, c) =>
      atLeast(
        s.journal.budgetUsedPercent,
        t(c, 'historyJournal'),
        `history journal at ${pct(s.journal.budgetUsedPercent)} of its budget (${(s.journal.bytes / 1024 ** 2).toFixed(1)} MB on disk); new inquiries get 503 from 90 %`,
      ),
  },
];

/** §8.1: 180 of 200 = 90 % — always computed from max_connections as the server reports it. */
export const connectionLimit = (max: number, percent: number): number => Math.ceil((max * percent) / 100);

/** Failing = the newest archive attempt failed (a later success clears it). */
export const archiveFailing = (a: { last_failed_time: Date | null; last_archived_time: Date | null }): boolean =>
  !!a.last_failed_time && (!a.last_archived_time || a.last_failed_time > a.last_archived_time);
