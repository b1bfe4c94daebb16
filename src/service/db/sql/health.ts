export const PING = `SELECT 1`;

/** Replica replay lag in ms; 0 when everything received has been replayed. */
export const REPLICA_LAG_MS = `
SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0
            WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::bigint END AS lag_ms`;

/** Whether the Bill-Inquiry schema is installed (`db apply` creates system_config with the rest). */
export const SCHEMA_PRESENT = `SELECT to_regclass('system_config') IS NOT NULL AS present`;
