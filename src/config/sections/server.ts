import { z } from 'zod';

/**
 * PostgreSQL server parameters: plan §5.1 (tuning), §10.3 (audit), §3.2 (TLS).
 * Memory figures are the plan's 16 GB profile, scaled to `memoryMb`
 * (default: this machine's RAM) by cluster/local/memoryProfile.ts.
 */
export const serverSection = z.object({
  maxConnections: z.number().int().min(20).default(200),
  sharedPreloadLibraries: z.array(z.string()).default(['pg_stat_statements']),
  /** RAM the profile is scaled to; the plan's figures are for 16384 MB. */
  memoryMb: z.number().int().min(256).optional(),
  planMemoryMb: z.number().int().default(16384),
  planProfile: z
    .object({
      sharedBuffersMb: z.number().default(4096),
      effectiveCacheSizeMb: z.number().default(12288),
      workMemMb: z.number().default(64),
      maintenanceWorkMemMb: z.number().default(1024),
    })
    .prefault({}),
  checkpointCompletionTarget: z.number().min(0).max(1).default(0.9),
  maxWalSize: z.string().default('4GB'),
  minWalSize: z.string().default('1GB'),
  logMinDurationStatementMs: z.number().int().default(1000),
  logCheckpoints: z.boolean().default(true),
  logConnections: z.boolean().default(true),
  logDisconnections: z.boolean().default(true),
  trackActivities: z.boolean().default(true),
  trackCounts: z.boolean().default(true),
  trackIoTiming: z.boolean().default(true),
  /** §10.3 audit. */
  logStatement: z.enum(['none', 'ddl', 'mod', 'all']).default('all'),
  logLinePrefix: z.string().default('%t [%p]: user=%u,db=%d,app=%a,client=%h '),
  logLockWaits: z.boolean().default(true),
  logTempFilesKb: z.number().int().default(10240),
  /** pgaudit is loaded when its library is installed; otherwise `cluster up` says so. */
  pgaudit: z.object({ enabled: z.boolean().default(true), log: z.string().default('write,ddl') }).prefault({}),
  /** §3.2: TLS 1.2 or newer, non-TLS refused. */
  sslMinProtocolVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
  /** §3.1: only the application network may connect (pg_hba hostssl lines). */
  allowedCidrs: z.array(z.string()).default(['127.0.0.1/32']),
  timezone: z.string().default('Asia/Seoul'),
});
export type ServerConfig = z.infer<typeof serverSection>;
