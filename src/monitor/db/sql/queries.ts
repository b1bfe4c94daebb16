/**
 * Monitoring queries (plan §8.2, §11.2), all readable by a role with pg_monitor.
 * Each is one named constant; parameters are bound, never spliced.
 */

/** Connections in use against the configured limit (§8.1 "연결 수"). */
export const CONNECTIONS = `
SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS used,
       current_setting('max_connections')::int AS max,
       current_setting('superuser_reserved_connections')::int AS reserved,
       pg_is_in_recovery() AS in_recovery,
       current_setting('server_version_num')::int AS version_num,
       current_setting('server_version') AS version,
       current_setting('data_directory', true) AS data_directory`;

/** §8.2 database statistics with the cache hit ratio, for every non-template database. */
export const DATABASE_STATS = `
SELECT datname, numbackends, xact_commit, xact_rollback, blks_read, blks_hit,
       round(100.0 * blks_hit / nullif(blks_hit + blks_read, 0), 2)::float8 AS cache_hit_ratio,
       pg_database_size(datname)::float8 AS size_bytes
FROM pg_stat_database
WHERE datname IS NOT NULL AND datname NOT IN ('template0', 'template1')
ORDER BY datname`;

/**
 * §8.2 slow statements. The plan's `total_time` column was split in PostgreSQL 13
 * into total_plan_time + total_exec_time: this uses total_exec_time.
 */
export const SLOW_STATEMENTS = `
SELECT queryid::text AS queryid, left(query, 300) AS query, calls::float8 AS calls,
       total_exec_time::float8 AS total_ms, mean_exec_time::float8 AS mean_ms, max_exec_time::float8 AS max_ms,
       rows::float8 AS rows,
       round(100.0 * shared_blks_hit / nullif(shared_blks_hit + shared_blks_read, 0), 2)::float8 AS hit_percent
FROM pg_stat_statements
ORDER BY total_exec_time DESC
LIMIT $1`;

export const HAS_PG_STAT_STATEMENTS = `SELECT to_regclass('pg_stat_statements') IS NOT NULL AS present`;

/** Longest-running active statement: the live signal behind the "response time ≥ 500 ms" alert. */
export const LONGEST_ACTIVE = `
SELECT pid, left(query, 300) AS query, datname,
       (extract(epoch FROM clock_timestamp() - query_start) * 1000)::float8 AS running_ms
FROM pg_stat_activity
WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND query_start IS NOT NULL
ORDER BY query_start
LIMIT 1`;

/** §11.2 table sizes (all user schemas, not only public: the history partitions count). */
export const TABLE_SIZES = `
SELECT schemaname, relname AS tablename, pg_total_relation_size(relid)::float8 AS size_bytes,
       n_live_tup::float8 AS live_tuples, n_dead_tup::float8 AS dead_tuples,
       seq_scan::float8 AS seq_scan, coalesce(idx_scan, 0)::float8 AS idx_scan,
       last_autovacuum, last_vacuum, last_autoanalyze, last_analyze
FROM pg_stat_user_tables
ORDER BY pg_total_relation_size(relid) DESC
LIMIT $1`;

/**
 * §11.2 unused indexes. The plan's `pg_relation_size(i.indexname::regclass)` fails:
 * pg_stat_user_indexes has no `indexname` column (it is `indexrelname`) and an
 * unqualified name breaks outside the search_path — the index OID (indexrelid) is exact.
 */
export const UNUSED_INDEXES = `
SELECT i.schemaname, i.relname AS tablename, i.indexrelname AS indexname,
       i.idx_tup_read::float8 AS idx_tup_read, i.idx_tup_fetch::float8 AS idx_tup_fetch,
       pg_relation_size(i.indexrelid)::float8 AS size_bytes
FROM pg_stat_user_indexes i
JOIN pg_index x ON x.indexrelid = i.indexrelid
WHERE i.idx_scan = 0 AND NOT x.indisprimary AND NOT x.indisunique
ORDER BY pg_relation_size(i.indexrelid) DESC
LIMIT $1`;

/** Index sizes (every user index) for the size metrics. */
export const INDEX_SIZES = `
SELECT schemaname, relname AS tablename, indexrelname AS indexname, pg_relation_size(indexrelid)::float8 AS size_bytes,
       idx_scan::float8 AS idx_scan
FROM pg_stat_user_indexes
ORDER BY pg_relation_size(indexrelid) DESC
LIMIT $1`;

/** Replicas as the primary sees them; lag in seconds and bytes. */
export const REPLICATION = `
SELECT application_name, client_addr::text AS client_addr, state, sync_state,
       coalesce(extract(epoch FROM replay_lag), 0)::float8 AS lag_seconds,
       coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::float8 AS lag_bytes
FROM pg_stat_replication
ORDER BY application_name`;

/** On a replica: is the WAL receiver streaming, and how far behind is replay. */
export const WAL_RECEIVER = `
SELECT status, sender_host, sender_port,
       coalesce(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)::float8 AS replay_delay_seconds
FROM pg_stat_wal_receiver`;

/** WAL archiving (§2.3 PITR): failures since the last success matter. */
export const ARCHIVER = `
SELECT archived_count::float8 AS archived_count, failed_count::float8 AS failed_count,
       last_archived_time, last_failed_time, last_failed_wal,
       current_setting('archive_mode') AS archive_mode
FROM pg_stat_archiver`;

/** Security audit: privileged roles and login roles whose password is not SCRAM (needs superuser for pg_authid). */
export const PRIVILEGED_ROLES = `
SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls
FROM pg_roles
WHERE (rolsuper OR rolcreaterole OR rolbypassrls) AND rolname !~ '^pg_'
ORDER BY rolname`;

export const NON_SCRAM_ROLES = `
SELECT rolname FROM pg_authid
WHERE rolcanlogin AND rolpassword NOT LIKE 'SCRAM-SHA-256$%'
ORDER BY rolname`;
