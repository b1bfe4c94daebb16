/**
 * Where PostgreSQL's work goes during a run (issue 23): pg_stat_statements per
 * statement, pg_stat_wal and pg_stat_bgwriter (PostgreSQL 15 has no
 * pg_stat_io), as deltas over the run. Execution time is wall time and moves
 * with a noisy machine; buffer hits and WAL bytes per statement do not, so
 * they show what a change saves even where the CPU figure cannot.
 */

import type { Db } from './closedLoop.js';

interface StatementRow extends Record<string, unknown> {
  queryid: string;
  query: string;
  calls: string;
  total_exec_time: number;
  rows: string;
  shared_blks_hit: string;
  shared_blks_read: string;
  shared_blks_dirtied: string;
  wal_bytes: string;
}

export interface DbSnapshot {
  statements: Map<string, StatementRow>;
  wal: Record<string, number>;
  bgwriter: Record<string, number>;
}

export interface StatementCost {
  query: string;
  calls: number;
  /** Share of all statements' execution time in the run, percent. */
  timePct: number;
  execUsPerCall: number;
  blksHitPerCall: number;
  blksReadPerCall: number;
  walBytesPerCall: number;
}

export interface DbStats {
  /** Per request of the run: statements executed, their time, buffers touched and WAL written. */
  perRequest: {
    statements: number;
    execUs: number;
    blksHit: number;
    blksRead: number;
    walBytes: number;
    walFpi: number;
  };
  /** The run's checkpoints and the buffers they and the backends wrote (pg_stat_bgwriter). */
  bgwriter: Record<string, number>;
  /** The statements that took most of the time, costliest first. */
  top: StatementCost[];
}

// The monitoring's and this module's own statements are left out of the figures.
const STATEMENTS = `
  SELECT s.queryid::text AS queryid, s.query, s.calls::text AS calls, s.total_exec_time, s.rows::text AS rows,
         s.shared_blks_hit::text AS shared_blks_hit, s.shared_blks_read::text AS shared_blks_read,
         s.shared_blks_dirtied::text AS shared_blks_dirtied, s.wal_bytes::text AS wal_bytes
    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
   WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat%'`;
const WAL = `SELECT wal_records, wal_fpi, wal_bytes::bigint AS wal_bytes, wal_write, wal_sync FROM pg_stat_wal`;
const BGWRITER = `SELECT checkpoints_timed, checkpoints_req, checkpoint_write_time, checkpoint_sync_time,
                         buffers_checkpoint, buffers_clean, buffers_backend, buffers_backend_fsync
                    FROM pg_stat_bgwriter`;

const numbers = (row: Record<string, unknown> | undefined): Record<string, number> =>
  Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]));

/** The counters now; null when pg_stat_statements is not there (then the run has no database breakdown). */
export async function dbSnapshot(db: Db): Promise<DbSnapshot | null> {
  try {
    const [statements, wal, bgwriter] = await Promise.all([db(STATEMENTS), db(WAL), db(BGWRITER)]);
    return {
      statements: new Map((statements as StatementRow[]).map((s) => [s.queryid, s])),
      wal: numbers(wal[0]),
      bgwriter: numbers(bgwriter[0]),
    };
  } catch {
    return null;
  }
}

const oneLine = (q: string) => q.replace(/\s+/g, ' ').trim().slice(0, 140);
const r1 = (x: number) => Math.round(x * 10) / 10;

/** What the run between two snapshots cost, per request and per statement. */
export function dbDelta(before: DbSnapshot, after: DbSnapshot, requests: number, top = 10): DbStats {
  const costs: Array<StatementCost & { totalMs: number }> = [];
  for (const [id, a] of after.statements) {
    const b = before.statements.get(id);
    const calls = Number(a.calls) - Number(b?.calls ?? 0);
    if (calls <= 0) continue;
    const totalMs = a.total_exec_time - (b?.total_exec_time ?? 0);
    const per = (k: 'shared_blks_hit' | 'shared_blks_read' | 'wal_bytes') =>
      r1((Number(a[k]) - Number(b?.[k] ?? 0)) / calls);
    costs.push({
      query: oneLine(a.query),
      calls,
      totalMs,
      timePct: 0,
      execUsPerCall: r1((totalMs * 1000) / calls),
      blksHitPerCall: per('shared_blks_hit'),
      blksReadPerCall: per('shared_blks_read'),
      walBytesPerCall: per('wal_bytes'),
    });
  }
  const totalMs = costs.reduce((s, c) => s + c.totalMs, 0);
  const sum = (f: (c: StatementCost) => number) => costs.reduce((s, c) => s + f(c) * c.calls, 0);
  const n = Math.max(1, requests);
  const d = (k: string) => (after.wal[k] ?? 0) - (before.wal[k] ?? 0);
  return {
    perRequest: {
      statements: r1(costs.reduce((s, c) => s + c.calls, 0) / n),
      execUs: r1((totalMs * 1000) / n),
      blksHit: r1(sum((c) => c.blksHitPerCall) / n),
      blksRead: r1(sum((c) => c.blksReadPerCall) / n),
      walBytes: Math.round(d('wal_bytes') / n),
      walFpi: r1(d('wal_fpi') / n),
    },
    bgwriter: Object.fromEntries(
      Object.keys(after.bgwriter).map((k) => [k, (after.bgwriter[k] ?? 0) - (before.bgwriter[k] ?? 0)]),
    ),
    top: costs
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, top)
      .map(({ totalMs: t, ...c }) => ({ ...c, timePct: totalMs ? r1((100 * t) / totalMs) : 0 })),
  };
}
