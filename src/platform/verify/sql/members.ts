/** Queries `db verify` runs on every member of the topology (verify/members.ts). */

export const MEMBER_ROLE = `SELECT pg_is_in_recovery() AS in_recovery`;

/** The server's TLS settings and whether this very connection is encrypted (and with which protocol). */
export const MEMBER_TLS = `
SELECT current_setting('ssl') AS ssl,
       current_setting('ssl_min_protocol_version') AS min,
       (SELECT CASE WHEN s.ssl THEN s.version END FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()) AS version`;

/** On a primary: who streams from it, how (sync/async) and how far behind in replay. */
export const REPLICAS_OF_PRIMARY = `
SELECT application_name AS name, state, sync_state,
       COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::bigint AS lag_bytes
  FROM pg_stat_replication ORDER BY application_name`;

/** On a replica: its WAL receiver and how far replay trails what was received. */
export const WAL_RECEIVER = `
SELECT r.status, r.sender_host || ':' || r.sender_port AS sender,
       pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint AS lag_bytes
  FROM pg_stat_wal_receiver r`;
