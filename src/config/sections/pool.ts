import { z } from 'zod';

/** Application connection pool per service instance: plan §5.2 (HikariCP figures). */
export const poolSection = z.object({
  size: z.number().int().positive().default(15),
  connectionTimeoutMs: z.number().int().positive().default(30_000),
  idleTimeoutMs: z.number().int().positive().default(600_000),
  maxLifetimeMs: z.number().int().positive().default(1_800_000),
});
export type PoolConfig = z.infer<typeof poolSection>;
