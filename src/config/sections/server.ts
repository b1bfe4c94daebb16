import { z } from 'zod';

/**
 * PostgreSQL server parameters: plan §5.1 (tuning), §10.3 (audit), §3.2 (TLS).
 * Memory figures are the plan's 16 GB profile, scaled to `memoryMb`
 * (default: this machine's RAM) by cluster/local/memoryProfile.ts.
 */
export const serverSection = z.object({
  /** §5.1 `max_connections`; the §8.1 connections alert fires at 90 % of it. */
  maxConnections: z.number().int().min(20).default(200),
  /** §5.1 `shared_preload_libraries` (pgaudit is added when installed, see `pgaudit`). */
  sharedPreloadLibraries: z.array(z.string()).default(['pg_stat_statements']),
  /** RAM the profile is scaled to; the plan's figures are for 16384 MB. */
  memoryMb: z.number().int().min(256).optional(),
  /** RAM of the machine the plan's §5.1 memory figures were written for (16 GB). */
  planMemoryMb: z.number().int().default(16384),
  /** §5.1 memory settings for `planMemoryMb`; each is scaled by memoryMb / planMemoryMb. */
  planProfile: z
    .object({
      /** §5.1 `shared_buffers` 4GB. */
      sharedBuffersMb: z.number().default(4096),
      /** §5.1 `effective_cache_size` 12GB. */
      effectiveCacheSizeMb: z.number().default(12288),
      /** §5.1 `work_mem` 64MB. */
      workMemMb: z.number().default(64),
      /** §5.1 `maintenance_work_mem` 1GB. */
      maintenanceWorkMemMb: z.number().default(1024),
    })
    .prefault({}),
  /** §5.1 `checkpoint_completion_target`. */
  checkpointCompletionTarget: z.number().min(0).max(1).default(0.9),
  /** §5.1 `max_wal_size`. */
  maxWalSize: z.string().default('4GB'),
  /** §5.1 `min_wal_size`. */
  minWalSize: z.string().default('1GB'),
  /** §5.1 `log_min_duration_statement`: statements slower than this (ms) are logged. */
  logMinDurationStatementMs: z.number().int().default(1000),
  /** §5.1 `log_checkpoints`. */
  logCheckpoints: z.boolean().default(true),
  /** §5.1 `log_connections`. */
  logConnections: z.boolean().default(true),
  /** §5.1 `log_disconnections`. */
  logDisconnections: z.boolean().default(true),
  /** §5.1 `track_activities`. */
  trackActivities: z.boolean().default(true),
  /** §5.1 `track_counts`. */
  trackCounts: z.boolean().default(true),
  /** §5.1 `track_io_timing`. */
  trackIoTiming: z.boolean().default(true),
  /** §10.3 audit. */
  logStatement: z.enum(['none', 'ddl', 'mod', 'all']).default('all'),
  /** §10.3 `log_line_prefix`: time, pid, user, database, application, client. */
  logLinePrefix: z.string().default('%t [%p]: user=%u,db=%d,app=%a,client=%h '),
  /** §10.3 `log_lock_waits`. */
  logLockWaits: z.boolean().default(true),
  /** §10.3 `log_temp_files` 10MB (in kB). */
  logTempFilesKb: z.number().int().default(10240),
  /** pgaudit is loaded when its library is installed; otherwise `cluster up` says so. */
  pgaudit: z
    .object({
      /** §10.3: load pgaudit when its library is installed. */
      enabled: z.boolean().default(true),
      /** §10.3 `pgaudit.log`: the statement classes audited. */
      log: z.string().default('write,ddl'),
    })
    .prefault({}),
  /** §3.2: TLS 1.2 or newer, non-TLS refused. */
  sslMinProtocolVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
  /** §3.1: only the application network may connect (pg_hba hostssl lines). */
  allowedCidrs: z.array(z.string()).default(['127.0.0.1/32']),
  /** Server `timezone` (KST, the plan's time zone). */
  timezone: z.string().default('Asia/Seoul'),
});
export type ServerConfig = z.infer<typeof serverSection>;
