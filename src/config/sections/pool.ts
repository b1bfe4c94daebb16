import { z } from 'zod';

/** Application connection pool per service instance: plan §5.2 (HikariCP figures). */
export const poolSection = z.object({
  /** §5.2 pool size: the most connections of each pool of one service process. */
  size: z.number().int().positive().default(15),
  /** §5.2 connection timeout: 30 s to get a connection. */
  connectionTimeoutMs: z.number().int().positive().default(30_000),
  /** §5.2 idle timeout: an idle connection is closed after 10 min. */
  idleTimeoutMs: z.number().int().positive().default(600_000),
  /** §5.2 max lifetime: a connection is replaced after 30 min. */
  maxLifetimeMs: z.number().int().positive().default(1_800_000),
  /**
   * Service instances expected against this database: phonebill's physical
   * architecture runs bill-inquiry-service at 3 replicas (each with
   * service.workers processes). `db verify`, `check daily` and `serve` fail or
   * warn when their connections do not fit max_connections.
   */
  instances: z.number().int().positive().default(3),
  /** The most instances the autoscaler may start (HPA maximum: 15); exceeding max_connections there is a warning. */
  maxInstances: z.number().int().positive().default(15),
  /**
   * Connections kept for everything that is not a service instance — operators,
   * monitoring, backups, migrations, Patroni — on top of the server's
   * superuser_reserved_connections.
   */
  adminReserve: z.number().int().min(0).default(10),
});
export type PoolConfig = z.infer<typeof poolSection>;
