import { z } from 'zod';

/**
 * §14.2 incident severities: 1 = service down, 2 = degraded performance,
 * 3 = minor issue. Each alert carries one, plus the plan's §8.1 response.
 */
export const severitySchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export type Severity = z.infer<typeof severitySchema>;

/** What §14.2 prescribes per severity (shown with every firing alert). */
export const SEVERITY_RESPONSE: Record<Severity, { label: string; response: string }> = {
  1: {
    label: 'severity 1 — service outage',
    response:
      'check automatic failover; notify operations now; escalate to a manager within 15 min; restore service within 30 min',
  },
  2: {
    label: 'severity 2 — degraded performance',
    response: 'analyse the metrics; tune queries or add resources; resolve within 2 h',
  },
  3: {
    label: 'severity 3 — minor issue',
    response: 'keep monitoring; fix at the next regular check; plan within 24 h',
  },
};

const alert = (threshold: number, severity: Severity, action: string, forS = 0) =>
  z
    .object({
      /** Evaluated by `monitor alerts`, `check daily` and /ops, and emitted as a Prometheus rule — or not at all. */
      enabled: z.boolean().default(true),
      /** Fires at or above this value, in the alert's unit (§8.1). */
      threshold: z.number().default(threshold),
      severity: severitySchema.default(severity),
      /** Plan §8.1 "대응 방안": what the on-call person does. */
      action: z.string().default(action),
      /** Prometheus `for:` — how long the condition must hold before it fires. */
      forS: z.number().int().min(0).default(forS),
    })
    .prefault({});

/** Monitoring, alerts and checklists: plan §8.1, §8.2, §11, §14. */
export const monitorSection = z.object({
  /** Port of `bill-inquiry monitor serve` (127.0.0.1 only). 9187 is postgres_exporter's customary port. */
  port: z.number().int().min(0).max(65535).default(9187),
  /**
   * Who the collector connects as: the plan's monitoring role (`bill_readonly_user`,
   * granted pg_monitor by `db apply`) or, explicitly, the local superuser.
   */
  connectAs: z.enum(['readonly', 'superuser']).default('readonly'),
  /** Database the collector connects to (pg_stat_statements must be installed there); default: database.name. */
  database: z.string().optional(),
  /** The service's /metrics also exports the database, host and backup metrics (else only `monitor serve` does). */
  serviceExportsDatabase: z.boolean().default(true),
  /** Seconds a DB snapshot is reused between scrapes, so several scrapers do not multiply the load. */
  cacheS: z.number().min(0).default(5),
  /** CPU is measured as busy time over this window. */
  cpuSampleMs: z.number().int().positive().default(500),
  /** How many bytes at the end of each server log file are scanned (logs are large with log_statement=all). */
  logTailBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /** Rows shown for slow statements and largest tables (§8.2 LIMIT 10). */
  topN: z.number().int().positive().default(10),
  /** §8.2: statements whose total execution time exceeds this are "slow" (the plan's 1 minute). */
  slowTotalMs: z.number().int().positive().default(60_000),
  /** Replicas expected to stream: `auto` = those the local cluster has (cluster up --replica). */
  expectedReplicas: z.union([z.literal('auto'), z.number().int().min(0)]).default('auto'),
  alerts: z
    .object({
      /** §8.1 CPU ≥ 85 %. */
      cpuPercent: alert(85, 2, 'auto-scale or scale up the server (§8.1)', 300),
      /** §8.1 memory ≥ 90 %. */
      memoryPercent: alert(90, 2, 'optimise connections (pool sizes) or scale up (§8.1)', 300),
      /** §8.1 disk ≥ 80 % of the data directory's file system. */
      diskPercent: alert(
        80,
        2,
        'grow the storage (auto-grow on Azure) or free space; check WAL and log growth (§8.1)',
        300,
      ),
      /** §8.1 connections ≥ 180 = this percentage (90 %) of max_connections as configured on the server. */
      connectionsPercent: alert(
        90,
        2,
        'tune the connection pools (pool.*); look for leaked or idle-in-transaction sessions (§8.1)',
        60,
      ),
      /** §8.1 response time ≥ 500 ms: service p99, and any statement running this long. */
      responseTimeMs: alert(
        500,
        2,
        'review query optimisation: EXPLAIN the slow statements, check indexes and locks (§8.1)',
        60,
      ),
      /** §8.1 failed connections ≥ 10 per minute (authentication failures in the server log). */
      failedConnectionsPerMin: alert(
        10,
        2,
        'check network and security settings: wrong application password, pg_hba rules, or a brute-force attempt (§8.1)',
        0,
      ),
      /** Replica lag in seconds; a replica that stopped streaming counts as lagging. RPO 5 min (§9.2), failover 60 s (§2.2). */
      replicationLagS: alert(
        60,
        2,
        'check the replica (is it running and streaming?), network and WAL volume; the RPO is 5 min (§9.2)',
        60,
      ),
      /** Hours since the last successful backup: daily at 02:00 KST (§9.1) plus slack. */
      backupAgeH: alert(
        26,
        2,
        'check why the daily backup did not run or failed (`bill-inquiry backup list`), then take one now (§9.1)',
        0,
      ),
      /** WAL segments that failed to archive since the last success (pg_stat_archiver). */
      walArchiveFailures: alert(
        1,
        2,
        'fix archive_command (repository reachable? disk full?) before PITR coverage is lost (§2.3)',
        300,
      ),
      /** KOS circuit breaker open: bill inquiries fail. */
      breakerOpen: alert(
        1,
        1,
        'the KOS upstream is failing: check KOS availability and the network; the breaker retries by itself',
        0,
      ),
      /** History rows the database refused (a row's data), kept in `<dataDir>/history/dead-letter.jsonl`. */
      historyDeadLetter: alert(
        1,
        2,
        'read why in the service log (or the file), fix the cause, then run `bill-inquiry history replay`',
        0,
      ),
      /**
       * The largest service process's history journal, in percent of its disk
       * budget (service.history.journal.maxBytes). The journal grows only while
       * the database does not commit history (down, or slower than the load);
       * from 90 % new inquiries get 503, so at 50 % an outage of the inquiry API
       * is minutes away under load: severity 1.
       */
      historyJournal: alert(
        50,
        1,
        'the database is not taking history: restore it (`bill-inquiry cluster status`, the database-down alert, §9.2); the journal drains by itself once it is back — or raise service.history.journal.maxBytes if the disk allows',
        0,
      ),
      /** The database server does not answer. */
      instanceDown: alert(
        1,
        1,
        'check automatic failover (§9.2 scenario 1) and the server log; restart or promote the replica',
        60,
      ),
    })
    .prefault({}),
  checks: z
    .object({
      /** Daily: cache hit ratio below this (percent) is a warning (§8.2). */
      cacheHitRatioMinPercent: z.number().min(0).max(100).default(95),
      /** Weekly: tables with more dead tuples than this share of live ones need VACUUM. */
      deadTupleRatio: z.number().min(0).default(0.2),
      /** Weekly: sequential scans on tables at least this big are worth an index review. */
      largeTableBytes: z
        .number()
        .int()
        .positive()
        .default(64 * 1024 * 1024),
      /** Weekly failover test switches over for real only when this is true: never on production. */
      allowSwitchover: z.boolean().default(false),
      /** §2.2: automatic failover within 60 s — the switchover test is judged against it. */
      failoverTargetS: z.number().positive().default(60),
      /**
       * Monthly (§14.1 재해복구 계획 업데이트): the DR plan. A relative path is looked up in the
       * working directory, then in the tool's package root (where docs/disaster-recovery.md
       * ships). It must cover the §9.2 scenarios and carry a `Last reviewed: YYYY-MM-DD` line
       * (else its file time counts) no older than drPlanMaxAgeDays.
       */
      drPlanFile: z.string().default('docs/disaster-recovery.md'),
      /** §14.1 monthly review: the DR plan's `Last reviewed` date may be this old. */
      drPlanMaxAgeDays: z.number().int().positive().default(31),
      /** Weekly (§9.1): the newest logical dump in the Blob container may be this old (a week plus a day's slack). */
      logicalDumpMaxAgeDays: z.number().positive().default(8),
      /** Roles allowed to be superuser or CREATEROLE (security audit). */
      privilegedRoles: z.array(z.string()).default(['postgres', 'bill_admin']),
    })
    .prefault({}),
  /**
   * §11.1 monthly cost estimate (USD) for `check monthly`: a price table applied
   * to the configured SKUs (azure.sku, azure.replicaSku) and storage
   * (azure.storageGb, or the data when it outgrew that). Defaults are the plan's
   * figures: D4s_v3 $450, D2s_v3 $225, 256 GB $50, backup $20, network $10 =
   * $755; the 1-year reserved prices make the plan's $605 (the plan says "about
   * 20 %"; $150 of $675 compute is 22 %).
   */
  cost: z
    .object({
      /** Monthly price per compute SKU: pay-as-you-go and 1-year reserved. */
      compute: z.record(z.string(), z.object({ monthly: z.number().min(0), reserved1y: z.number().min(0) })).default({
        Standard_D4s_v3: { monthly: 450, reserved1y: 350 },
        Standard_D2s_v3: { monthly: 225, reserved1y: 175 },
      }),
      /** Premium SSD per provisioned GB and month: the plan's $50 for 256 GB. */
      storagePerGbMonth: z
        .number()
        .min(0)
        .default(50 / 256),
      /** Geo-redundant backup storage per month. */
      backupMonthly: z.number().min(0).default(20),
      /** Data transfer per month. */
      networkMonthly: z.number().min(0).default(10),
      /**
       * Azure bills the zone-redundant standby like a second server (compute and
       * storage) and the replica's own storage; the plan's table counts neither.
       * True adds both, for Azure's actual bill.
       */
      countStandbyAndReplicaStorage: z.boolean().default(false),
    })
    .prefault({}),
  /** Dashboard: samples kept for the charts and their interval. */
  dashboard: z
    .object({
      /** Seconds between two samples of the /ops charts. */
      sampleS: z.number().positive().default(5),
      /** Samples each chart keeps (120 × 5 s = the last 10 minutes). */
      points: z.number().int().positive().default(120),
    })
    .prefault({}),
});
export type MonitorConfig = z.infer<typeof monitorSection>;
export type AlertName = keyof MonitorConfig['alerts'];
