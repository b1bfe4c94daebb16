import pg from 'pg';
import { clientConfig, type ConnTarget } from '../../db/connection.js';
import { BillInquiryError } from '../../errors.js';
import * as q from './sql/queries.js';

export interface SlowStatement {
  queryid: string;
  query: string;
  calls: number;
  total_ms: number;
  mean_ms: number;
  max_ms: number;
  rows: number;
  hit_percent: number | null;
}
export interface DatabaseStat {
  datname: string;
  numbackends: number;
  cache_hit_ratio: number | null;
  size_bytes: number;
}
export interface TableSize {
  schemaname: string;
  tablename: string;
  size_bytes: number;
  live_tuples: number;
  dead_tuples: number;
  seq_scan: number;
  idx_scan: number;
  last_autovacuum: Date | null;
  last_vacuum: Date | null;
  last_autoanalyze: Date | null;
  last_analyze: Date | null;
}
export interface IndexSize {
  schemaname: string;
  tablename: string;
  indexname: string;
  size_bytes: number;
  idx_scan?: number;
}
export interface ReplicaLag {
  application_name: string;
  client_addr: string | null;
  state: string;
  sync_state: string;
  lag_seconds: number;
  lag_bytes: number;
}
export interface Archiver {
  archived_count: number;
  failed_count: number;
  last_archived_time: Date | null;
  last_failed_time: Date | null;
  last_failed_wal: string | null;
  archive_mode: string;
}
export interface ActiveStatement {
  pid: number;
  query: string;
  datname: string;
  running_ms: number;
}

/** Everything the collector reads from one server in one pass. */
export interface DbSnapshot {
  connections: { used: number; max: number; reserved: number };
  inRecovery: boolean;
  version: string;
  versionNum: number;
  dataDirectory: string | null;
  databases: DatabaseStat[];
  /** Undefined when pg_stat_statements is not installed in the monitored database. */
  slowStatements?: SlowStatement[];
  longestActive?: ActiveStatement;
  tables: TableSize[];
  indexes: IndexSize[];
  unusedIndexes: IndexSize[];
  replicas: ReplicaLag[];
  walReceiver?: { status: string; replay_delay_seconds: number };
  archiver: Archiver;
}

/** One connection, every §8.2/§11.2 query, then disconnect. */
export async function collectDb(target: ConnTarget, topN: number): Promise<DbSnapshot> {
  const client = new pg.Client(clientConfig(target, { connectionTimeoutMillis: 5000, statement_timeout: 10_000 }));
  try {
    await client.connect();
  } catch (e) {
    throw new BillInquiryError(
      'MONITOR_CONNECT',
      `cannot connect to ${target.host}:${target.port}/${target.database} as ${target.user}: ${(e as Error).message}`,
      'is the server up? For the monitoring role run `bill-inquiry db apply` (grants pg_monitor), or set monitor.connectAs=superuser',
      { cause: e },
    );
  }
  try {
    const rows = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
      (await client.query<T>(sql, params)).rows;
    const [conn] = await rows<{
      used: number;
      max: number;
      reserved: number;
      in_recovery: boolean;
      version_num: number;
      version: string;
      data_directory: string | null;
    }>(q.CONNECTIONS);
    const [stmts] = await rows<{ present: boolean }>(q.HAS_PG_STAT_STATEMENTS);
    const inRecovery = conn!.in_recovery;
    const [archiver] = await rows<Archiver>(q.ARCHIVER);
    const [receiver] = inRecovery ? await rows<{ status: string; replay_delay_seconds: number }>(q.WAL_RECEIVER) : [];
    return {
      connections: { used: conn!.used, max: conn!.max, reserved: conn!.reserved },
      inRecovery,
      version: conn!.version,
      versionNum: conn!.version_num,
      dataDirectory: conn!.data_directory,
      databases: await rows<DatabaseStat>(q.DATABASE_STATS),
      ...(stmts!.present ? { slowStatements: await rows<SlowStatement>(q.SLOW_STATEMENTS, [topN]) } : {}),
      longestActive: (await rows<ActiveStatement>(q.LONGEST_ACTIVE))[0],
      tables: await rows<TableSize>(q.TABLE_SIZES, [topN]),
      indexes: await rows<IndexSize>(q.INDEX_SIZES, [topN]),
      unusedIndexes: await rows<IndexSize>(q.UNUSED_INDEXES, [topN]),
      replicas: inRecovery ? [] : await rows<ReplicaLag>(q.REPLICATION),
      ...(receiver ? { walReceiver: receiver } : {}),
      archiver: archiver!,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}
