import type { ServerConfig } from '../../config/sections/server.js';
import type { MemoryProfile } from './memoryProfile.js';
import type { TlsFiles } from './tls.js';

export type ParamValue = string | number | boolean;
export type ServerParameters = Record<string, ParamValue>;

export interface ParameterInputs {
  server: ServerConfig;
  memory: MemoryProfile;
  tls: TlsFiles;
  port: number;
  socketDir: string;
  /** Whether the pgaudit library is installed for these binaries. */
  pgauditAvailable: boolean;
}

/**
 * The server parameters of plan §5.1 (tuning), §10.3 (audit) and §3.2 (TLS)
 * as one map, shared by the plain local cluster (written to a conf file) and
 * Patroni (its `postgresql.parameters`), so both run the same configuration.
 */
export function serverParameters(i: ParameterInputs): ServerParameters {
  const s = i.server;
  const usePgaudit = s.pgaudit.enabled && i.pgauditAvailable;
  const preload = [...s.sharedPreloadLibraries, ...(usePgaudit ? ['pgaudit'] : [])];
  return {
    listen_addresses: '127.0.0.1',
    port: i.port,
    unix_socket_directories: i.socketDir,
    unix_socket_permissions: '0700',
    max_connections: s.maxConnections,
    shared_preload_libraries: [...new Set(preload)].join(','),
    shared_buffers: `${i.memory.sharedBuffersMb}MB`,
    effective_cache_size: `${i.memory.effectiveCacheSizeMb}MB`,
    work_mem: `${i.memory.workMemMb}MB`,
    maintenance_work_mem: `${i.memory.maintenanceWorkMemMb}MB`,
    checkpoint_completion_target: s.checkpointCompletionTarget,
    max_wal_size: s.maxWalSize,
    min_wal_size: s.minWalSize,
    log_min_duration_statement: s.logMinDurationStatementMs,
    log_checkpoints: s.logCheckpoints,
    log_connections: s.logConnections,
    log_disconnections: s.logDisconnections,
    track_activities: s.trackActivities,
    track_counts: s.trackCounts,
    track_io_timing: s.trackIoTiming,
    log_statement: s.logStatement,
    log_line_prefix: s.logLinePrefix,
    log_lock_waits: s.logLockWaits,
    log_temp_files: s.logTempFilesKb,
    // log_statement=all audits every statement; its bind values carry personal
    // data (line numbers, user ids), so they stay out of the log.
    log_parameter_max_length: 0,
    log_parameter_max_length_on_error: 0,
    ...(usePgaudit ? { 'pgaudit.log': s.pgaudit.log } : {}),
    logging_collector: true,
    log_directory: 'log',
    log_filename: 'postgresql-%Y-%m-%d.log',
    log_rotation_age: '1d',
    // No rotation by size: the file name holds only the day, so a size rotation
    // reopens the same file, which is still past the size, and the logger
    // rotated again on every message for the rest of the day. With the plan's
    // log_statement=all a day's log passes PostgreSQL's default 10 MB within
    // a minute at 1,000 req/s; from then on the logger cost 130–140 µs per
    // statement instead of 20 (pgbench, 500 statements/s) — in `npm run
    // bench`'s open loop 60 µs of PostgreSQL's ~270 µs per request.
    log_rotation_size: 0,
    log_timezone: s.timezone,
    timezone: s.timezone,
    password_encryption: 'scram-sha-256',
    ssl: true,
    ssl_cert_file: i.tls.serverCert,
    ssl_key_file: i.tls.serverKey,
    ssl_ca_file: i.tls.caCert,
    ssl_min_protocol_version: s.sslMinProtocolVersion,
    wal_level: 'replica',
    max_wal_senders: 10,
    max_replication_slots: 10,
    hot_standby: true,
    wal_log_hints: true,
  };
}

/** postgresql.conf syntax: strings quoted, quotes doubled. */
export function renderParameters(p: ServerParameters): string {
  return Object.entries(p)
    .map(
      ([k, v]) =>
        `${k} = ${typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : typeof v === 'boolean' ? (v ? 'on' : 'off') : v}`,
    )
    .join('\n');
}
