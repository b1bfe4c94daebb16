import { z } from 'zod';

/**
 * The Bill-Inquiry HTTP service (`bill-inquiry serve`). Pool figures live in the
 * pool section (plan §5.2); KOS thresholds and cache TTLs live in the
 * `system_config` table (seeded from the systemConfig section) so operators
 * change them at run time. What is here is how this process behaves.
 */
const endpoint = z.object({ host: z.string(), port: z.number().int().min(1).max(65535) });

export const serviceSection = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Real KOS base URL; when unset `serve` starts the bundled KOS mock in-process. */
  kosUrl: z.string().url().optional(),
  /**
   * A database this tool does not run (the `external` topology): `serve` then
   * neither starts nor applies anything; roles' passwords come from the
   * SecretStore / BILL_INQUIRY_SECRET_<ROLE>; `db apply` needs --admin-url;
   * partitions are kept by `db maintain`. Exactly one way to find the primary:
   * - `primary` (+ `replica`): fixed endpoints, e.g. Azure Flexible Server and its read replica;
   * - `hosts`: every member of a self-hosted cluster; the primary is the one
   *   not in recovery (`pg_is_in_recovery()`, as libpq's
   *   target_session_attrs=read-write), reads go to one in recovery;
   * - `patroni.urls`: the REST APIs of an existing Patroni cluster
   *   (https://host:8008): members from `GET /cluster`, the leader from each
   *   member's `GET /primary` — the same answer as for `cluster up --ha`.
   */
  database: z
    .object({
      primary: endpoint.optional(),
      replica: endpoint.optional(),
      hosts: z.array(endpoint).min(1).optional(),
      patroni: z
        .object({
          urls: z.array(z.string().url()).min(1),
          /** CA of the REST API certificates (default: caFile below). */
          caFile: z.string().optional(),
        })
        .optional(),
      /** CA of the server certificate (verify-full); without it TLS is required but unverified. */
      caFile: z.string().optional(),
      servername: z.string().optional(),
      /** How long (ms) one answer about the primary is trusted (hosts, patroni); asked again after any connection error. */
      locatorCacheMs: z.number().int().min(0).default(1000),
      /** Per-probe timeout (ms) when looking for the primary (hosts, patroni). */
      probeTimeoutMs: z.number().int().positive().default(1000),
    })
    .refine((d) => [d.primary, d.hosts, d.patroni].filter(Boolean).length === 1, {
      message: 'set exactly one of primary, hosts or patroni',
    })
    .optional(),
  /**
   * Graceful shutdown (SIGTERM/SIGINT) first answers GET /ready with 503 for
   * this long (ms), so a load balancer that checks /ready (`lb config`) takes
   * the instance out before its listener closes: set it above the balancer's
   * check interval × fall count. 0 (default): close at once (a single instance).
   */
  shutdownDrainMs: z.number().int().min(0).default(0),
  /**
   * Service processes per machine (`serve --workers N`, node:cluster on one
   * port; each has its own pools of pool.size) and service instances behind
   * the load balancer: `serve` warns when workers × instances × pool.size
   * (per server) approaches max_connections minus the reserved ones.
   */
  workers: z.number().int().min(1).max(64).default(1),
  /**
   * How often (ms) the service asks the topology where the primary is, and
   * moves its write pool when the answer changed — a switchover is followed
   * even when no connection broke. A broken connection makes it ask at once.
   */
  followPrimaryMs: z.number().int().positive().default(1000),
  /**
   * GET /bills/inquiry/{id} of a request another worker or instance
   * acknowledged moments ago: its history row is written within
   * history.flushIntervalMs, so an id minted less than this long ago (its
   * UUIDv7 time) that is not found yet is looked up again before the 404.
   */
  peerVisibilityMs: z.number().int().min(0).default(2000),
  instances: z.number().int().min(1).default(1),
  /** Largest request body accepted (bytes); bigger → 413 with the error envelope. */
  bodyLimitBytes: z.number().int().positive().default(8192),
  /** A KOS answer slower than this turns POST /bills/inquiry into 202 PROCESSING; the call finishes in the background. */
  processingAfterMs: z.number().int().positive().default(3000),
  /** HTTP connections the KOS client keeps open to KOS. */
  kosConnections: z.number().int().positive().default(512),
  /**
   * Rolling window in which KOS failures count toward
   * `kos.circuit.failure.threshold` (system_config); older failures are forgotten.
   */
  kosBreakerWindowMs: z.number().int().positive().default(60_000),
  jwt: z
    .object({
      /** HS256: shared secret from the SecretStore (`secretName`); RS256: verify with `publicKeyFile` (tokens from the Auth service). */
      algorithm: z.enum(['HS256', 'RS256']).default('HS256'),
      secretName: z.string().default('jwt-hs256'),
      publicKeyFile: z.string().optional(),
      issuer: z.string().default('bill-inquiry-auth'),
      audience: z.string().default('bill-inquiry'),
      /** Lifetime of tokens issued by `bill-inquiry token`. */
      ttlSeconds: z.number().int().positive().default(3600),
      clockToleranceSeconds: z.number().int().min(0).default(30),
      /** Verified tokens remembered (until their exp) so the hot path skips the signature check. */
      cacheSize: z.number().int().min(0).default(10_000),
    })
    .prefault({}),
  cache: z
    .object({
      /** Entries of the in-process LRU in front of bill_info_cache / customer_info. */
      maxEntries: z.number().int().positive().default(100_000),
    })
    .prefault({}),
  history: z
    .object({
      /**
       * Rows per history statement (unnest of arrays). Under full load the event
       * loop turns slowly and each batch costs at least one turn, so batches per
       * second are few: 5,000 rows keep up with a 15k req/s cache-hit rate on 2
       * cores (1,000 fell behind in the bench); a refused row costs ~2·log₂(5000) = 26 extra statements to isolate.
       */
      batchSize: z.number().int().positive().default(5000),
      /** Batches written at the same time (each holds one pool connection while it writes). */
      concurrency: z.number().int().min(1).max(8).default(4),
      /** How often queued history is written; a crash loses at most this much plus any backlog. */
      flushIntervalMs: z.number().int().positive().default(200),
      /**
       * Queue bound: beyond it new inquiries get 503 instead of growing memory or
       * dropping rows. A queued row takes about 420 bytes of heap (measured), so
       * the default is about 210 MB — a minute of a 10k/s burst above what the
       * database absorbs, or several minutes of a database outage.
       */
      maxQueued: z.number().int().positive().default(500_000),
      /** Pause after a failed flush before the next try (rows stay queued). */
      retryDelayMs: z.number().int().positive().default(1000),
      /** Graceful shutdown keeps trying to write the queue this long (database down) before giving up loudly. */
      shutdownTimeoutMs: z.number().int().positive().default(30_000),
    })
    .prefault({}),
  replica: z
    .object({
      /** Reads go to the replica only while its replay lag is at most this. */
      maxLagMs: z.number().int().min(0).default(5000),
      /** How often the replica's lag is measured. */
      checkIntervalMs: z.number().int().positive().default(1000),
    })
    .prefault({}),
  encryption: z
    .object({
      /** Rows re-encrypted per transaction by `keys rotate`. */
      rotateBatchSize: z.number().int().positive().default(500),
      /**
       * How long `keys rotate` waits between telling running services about the
       * new key (NOTIFY column_key_rotated) and re-encrypting (plan §10.2). The
       * notification arrives in milliseconds; what needs the time is a history
       * batch encrypted under the old key just before the switch, which is
       * written within one flush interval (history.flushIntervalMs, 200 ms) plus
       * its write. 1 s is five flush intervals: room for a busy database. A value
       * that still lands later under the old key stays readable, and
       * `keys rotate --resume` re-encrypts it.
       */
      rotateGraceMs: z.number().int().min(0).default(1000),
    })
    .prefault({}),
  /** The bundled KOS mock (`bill-inquiry kos-mock`, or in-process under `serve`). */
  kosMock: z
    .object({
      port: z.number().int().min(0).max(65535).default(0),
      latencyMs: z.number().int().min(0).default(20),
      /** Share of calls answered E999 / HTTP 500. */
      failureRate: z.number().min(0).max(1).default(0),
      /** Share of calls that hang for `hangMs` (to exercise read timeouts). */
      timeoutRate: z.number().min(0).max(1).default(0),
      hangMs: z.number().int().min(0).default(120_000),
    })
    .prefault({}),
});
export type ServiceConfig = z.infer<typeof serviceSection>;
