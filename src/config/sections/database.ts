import { z } from 'zod';

/** Database, roles and schema: plan §4, §6, §10.1; retention from the data design. */
export const databaseSection = z.object({
  /** §4.1 database name. */
  name: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('bill_inquiry_db'),
  /** §4.1 encoding (created from template0). */
  encoding: z.literal('UTF8').default('UTF8'),
  /** §4.1 collation and ctype. */
  locale: z.string().default('en_US.UTF-8'),
  /**
   * When the OS lacks `locale`: `icu` creates the database with the ICU
   * equivalent (`icuLocale`) and says so loudly; `error` refuses with how to add it.
   */
  localeFallback: z.enum(['icu', 'error']).default('icu'),
  /** The ICU locale used when the OS lacks `locale` (localeFallback `icu`). */
  icuLocale: z.string().default('en-US'),
  /** §4.1 the database's default `timezone`. */
  timezone: z.string().default('Asia/Seoul'),
  /** §4.1 extensions created in the database. */
  extensions: z.array(z.string()).default(['uuid-ossp', 'pg_stat_statements', 'pg_trgm']),
  roles: z
    .object({
      /** §4.2 login role of the service: CRUD on tables and sequences. */
      app: z.string().default('bill_app_user'),
      /** §4.2 login role for reads and monitoring: SELECT only (plus pg_monitor). */
      readonly: z.string().default('bill_readonly_user'),
      /** §4.2 login role for logical backups: reads everything, writes nothing. */
      backup: z.string().default('bill_backup_user'),
      /** §10.1 group role that owns the schema objects (NOLOGIN). */
      admin: z.string().default('bill_admin'),
      /** §10.1 group role of developers: read-only. */
      developer: z.string().default('bill_developer'),
      /** §10.1 group role of auditors: read-only. */
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
      /** §13.2 `pgbench -i -s`. */
      scale: z.number().int().positive().default(10),
      /** §13.2 `pgbench -c`. */
      clients: z.number().int().positive().default(50),
      /** §13.2 `pgbench -j`. */
      jobs: z.number().int().positive().default(2),
      /** §13.2 `pgbench -T` (s). */
      durationSeconds: z.number().int().positive().default(300),
    })
    .prefault({}),
  /**
   * Each bill_inquiry_history partition is vacuumed by autovacuum after this
   * many inserted rows (its `autovacuum_vacuum_insert_threshold`, with an
   * insert scale factor of 0), not after PostgreSQL's default of a fifth of
   * its size. The history page sorts and counts a user's rows on the index
   * alone only where the visibility map says their heap pages are all-visible,
   * and only vacuum sets it: with the default, inserts must reach a fifth of
   * the partition's rows first, and until then every page visits each of the
   * user's newer rows in the heap. Set on the partitions `db apply` and the
   * partition maintenance create, and on existing ones by `db apply`.
   */
  historyVacuumInsertRows: z.number().int().positive().default(10_000),
  /** Connecting to an admin target gives up after this long (unreachable host → clear error, not a hang). */
  connectTimeoutMs: z.number().int().positive().default(10_000),
  retention: z
    .object({
      /** `bill.history.retention.days` (schema script seed): bill_inquiry_history partitions older than this are dropped. */
      billHistoryDays: z.number().int().positive().default(730),
      /** `kos.history.retention.days` (schema script seed): kos_inquiry_history partitions older than this are dropped. */
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
