import { z } from 'zod';

/** Database, roles and schema: plan §4, §6, §10.1; retention from the data design. */
export const databaseSection = z.object({
  name: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('bill_inquiry_db'),
  encoding: z.literal('UTF8').default('UTF8'),
  /** §4.1 collation and ctype. */
  locale: z.string().default('en_US.UTF-8'),
  /**
   * When the OS lacks `locale`: `icu` creates the database with the ICU
   * equivalent (`icuLocale`) and says so loudly; `error` refuses with how to add it.
   */
  localeFallback: z.enum(['icu', 'error']).default('icu'),
  icuLocale: z.string().default('en-US'),
  timezone: z.string().default('Asia/Seoul'),
  extensions: z.array(z.string()).default(['uuid-ossp', 'pg_stat_statements', 'pg_trgm']),
  roles: z
    .object({
      app: z.string().default('bill_app_user'),
      readonly: z.string().default('bill_readonly_user'),
      backup: z.string().default('bill_backup_user'),
      admin: z.string().default('bill_admin'),
      developer: z.string().default('bill_developer'),
      auditor: z.string().default('bill_auditor'),
    })
    .prefault({}),
  /**
   * Schema holding node-pg-migrate's bookkeeping table, kept out of `public`
   * so the application's grants ON ALL TABLES IN SCHEMA public never reach it.
   */
  migrationsSchema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('bill_migrations'),
  /**
   * §13.2 performance test (`bill-inquiry db bench`): `pgbench -i -s scale`, then
   * `pgbench -c clients -j jobs -T durationSeconds`, as the app role in a scratch
   * database dropped afterwards. The command's flags override these.
   */
  bench: z
    .object({
      scale: z.number().int().positive().default(10),
      clients: z.number().int().positive().default(50),
      jobs: z.number().int().positive().default(2),
      durationSeconds: z.number().int().positive().default(300),
    })
    .prefault({}),
  /** Connecting to an admin target gives up after this long (unreachable host → clear error, not a hang). */
  connectTimeoutMs: z.number().int().positive().default(10_000),
  retention: z
    .object({
      billHistoryDays: z.number().int().positive().default(730),
      kosHistoryDays: z.number().int().positive().default(365),
      /** Monthly partitions kept ready ahead of the current month. */
      partitionsAhead: z.number().int().min(1).default(3),
      /** Past months kept attached even when empty, so a request stamped just before a month boundary still lands. */
      partitionsBehind: z.number().int().min(1).default(1),
    })
    .prefault({})
    .refine((r) => r.kosHistoryDays <= r.billHistoryDays, {
      message:
        'kosHistoryDays must not exceed billHistoryDays: KOS rows reference bill inquiries, so their partitions must go first',
    }),
});
export type DatabaseConfig = z.infer<typeof databaseSection>;
