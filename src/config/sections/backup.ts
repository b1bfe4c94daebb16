import { z } from 'zod';

/**
 * One pgBackRest repository. `posix` is a directory (default under the data
 * dir); `s3` / `azure` are object stores for real deployments (§9.2 geo-redundant
 * copy). Their keys are never in config: they come from the secret store
 * (`pgbackrest-repo<N>-s3-key`, `…-s3-key-secret`, `…-azure-key`) and are never generated.
 */
const repo = z.object({
  /** Where the repository lives: a directory (`posix`), Azure Blob (`azure`) or S3 (`s3`). */
  type: z.enum(['posix', 's3', 'azure']).default('posix'),
  /** posix: directory (default `<dataDir>/backup/repo<N>`); s3/azure: path inside the bucket/container (default `/<stanza>`). */
  path: z.string().optional(),
  /** s3: bucket name. */
  bucket: z.string().optional(),
  /**
   * s3: the S3 endpoint (e.g. `s3.ap-northeast-2.amazonaws.com`). azure: the blob service
   * endpoint (pgBackRest `repo-azure-endpoint`, default `blob.core.windows.net`; a sovereign
   * cloud's, or an emulator's host such as `localhost`). pgBackRest connects to this name and
   * verifies the certificate against it (DNS names only: 2.45 ignores IP SANs).
   */
  endpoint: z.string().optional(),
  /** s3: region. */
  region: z.string().optional(),
  /** azure: blob container (must exist: pgBackRest does not create it). */
  container: z.string().optional(),
  /** azure: storage account name. */
  account: z.string().optional(),
  /** s3/azure: TCP port of the endpoint (pgBackRest `repo-storage-port`, default 443). */
  port: z.number().int().min(1).max(65535).optional(),
  /**
   * s3/azure: `host` puts the account (bucket) in the host name (`<account>.<endpoint>`, as real
   * Azure serves it); `path` puts it in the URL path (Azurite, some private endpoints).
   */
  uriStyle: z.enum(['host', 'path']).default('host'),
  /** s3/azure: CA file for the endpoint's certificate (pgBackRest `repo-storage-ca-file`); default: the system CAs. */
  caFile: z.string().optional(),
});
export type RepoConfig = z.infer<typeof repo>;

/** What an object-store repository cannot work without; its credentials come from the secret store. */
const REQUIRED_KEYS: Record<
  RepoConfig['type'],
  ReadonlyArray<'bucket' | 'endpoint' | 'region' | 'account' | 'container'>
> = {
  posix: [],
  s3: ['bucket', 'endpoint', 'region'],
  azure: ['account', 'container'],
};

/** Names the repository as pgBackRest numbers it (repo<N>) and every key it lacks. */
const repoList = z.array(repo).superRefine((repos, ctx) => {
  repos.forEach((r, i) => {
    const missing = REQUIRED_KEYS[r.type].filter((k) => !r[k]);
    if (!missing.length) return;
    ctx.addIssue({
      code: 'custom',
      path: [i],
      message: `repo${i + 1} is an ${r.type} repository without ${missing.join(', ')}: set ${missing.map((k) => `backup.repos[${i}].${k}`).join(', ')}`,
    });
  });
});

/** Backups and recovery: plan §9 (schedule, retention), §2.3 (RTO 30 min / RPO 5 min), §10.2 (encryption). */
export const backupSection = z.object({
  /** pgBackRest stanza name. */
  stanza: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/)
    .default('bill-inquiry'),
  /** Continuous WAL archiving through pgBackRest (archive-async) on the primary (§9.1, RPO 5 min). */
  walArchiving: z.boolean().default(true),
  /** repo1 = primary backup storage, repo2 = geo-redundant copy (§9.2). */
  repos: repoList
    .min(1)
    .max(4)
    .prefault([{ type: 'posix' }, { type: 'posix' }]),
  /** §10.2: repository encryption; passphrases generated into the secret store. */
  cipherType: z.enum(['aes-256-cbc', 'none']).default('aes-256-cbc'),
  /** §9.2: full backups kept 35 days (time-based retention). */
  retentionFullDays: z.number().int().positive().default(35),
  /** lz4: cheap on CPU, so restores run near disk speed (RTO §2.3). */
  compressType: z.enum(['lz4', 'zst', 'gz', 'none']).default('lz4'),
  /** Parallel processes for backup/restore. */
  processMax: z.number().int().min(1).default(2),
  /** Restores wait on fsync per file: more processes than cores overlap those waits (RTO §2.3). */
  restoreProcessMax: z.number().int().min(1).default(4),
  /** Take backups from a standby when one exists (keeps I/O off the primary). */
  backupStandby: z.boolean().default(true),
  /** WAL segments older than this (s) force a switch, bounding RPO (§2.3: 5 min). */
  archiveTimeoutS: z.number().int().positive().default(60),
  /** §9.1 schedule, in the plan's timezone (KST). */
  schedule: z
    .object({
      /** The time zone the schedule's times are in (§9.1: KST). */
      timezone: z.string().default('Asia/Seoul'),
      /** Daily physical backup at this local time (HH:MM). */
      dailyAt: z
        .string()
        .regex(/^\d{2}:\d{2}$/)
        .default('02:00'),
      /** Day of week (0 = Sunday) of the weekly full backup; diff on other days. */
      fullOnWeekday: z.number().int().min(0).max(6).default(0),
      /** Weekly logical backup (pg_dump) day and time. */
      logicalWeekday: z.number().int().min(0).max(6).default(0),
      /** Weekly logical backup at this local time (HH:MM). */
      logicalAt: z
        .string()
        .regex(/^\d{2}:\d{2}$/)
        .default('03:00'),
    })
    .prefault({}),
  /**
   * The first full backup: `serve` takes it in the background as soon as the database is applied,
   * into every repository that has none (§2.3: point-in-time recovery needs a base backup — without
   * it there is no recovery until the first 02:00 KST run, §9.1). `db apply` prints the command instead.
   */
  firstBackup: z
    .object({
      /** Off for tests, drills and the bench that do not need a backup (a full backup costs minutes of CPU on 2 cores). */
      enabled: z.boolean().default(true),
      /** While a repository is locked by another pgBackRest (an earlier, orphaned backup), ask again every this many ms. */
      lockRetryMs: z.number().int().positive().default(5000),
    })
    .prefault({}),
  /** `drill restore`: MB of table data generated so the throughput ratio means something. */
  drillRestoreDataMb: z.number().int().min(1).default(512),
  logical: z
    .object({
      /** Directory of encrypted dumps (default `<dataDir>/backup/logical`). */
      dir: z.string().optional(),
      /** §9.1: weekly logical dumps kept 3 months. */
      retentionDays: z.number().int().positive().default(92),
    })
    .prefault({}),
});
export type BackupConfig = z.infer<typeof backupSection>;
