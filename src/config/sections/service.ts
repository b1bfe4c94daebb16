import { z } from 'zod';

/**
 * The Bill-Inquiry HTTP service (`bill-inquiry serve`). Pool figures live in the
 * pool section (plan §5.2); KOS thresholds and cache TTLs live in the
 * `system_config` table (seeded from the systemConfig section) so operators
 * change them at run time. What is here is how this process behaves.
 */
const endpoint = z.object({
  /** Host name or address (verified against the server certificate). */
  host: z.string(),
  /** PostgreSQL port. */
  port: z.number().int().min(1).max(65535),
});

export const serviceSection = z.object({
  /**
   * Listen address. A container (the phonebill profile) listens on all
   * interfaces (0.0.0.0) as Spring Boot does; `BILL_INQUIRY__SERVICE__HOST` wins.
   */
  host: z.string().default('127.0.0.1'),
  /** HTTP port (`serve --port`; phonebill's `SERVER_PORT`, 8082 in its manifests); 0 picks a free one. */
  port: z.number().int().min(0).max(65535).default(8080),
  /**
   * Real KOS base URL (the server root, e.g. http://kos-mock-service:8080). When
   * unset, `serve` starts the bundled KOS mock in-process on a local topology
   * only; on the external topology (and the phonebill profile) it is a startup
   * error unless `kosMock.inProcess` asks for the mock by name.
   */
  kosUrl: z.string().url().optional(),
  /**
   * The KOS wire protocol, for the client and the bundled mock alike: `design`
   * (the phonebill design's sequence diagrams: POST /kos/bill/inquiry) or
   * `phonebill-kos-mock` (phonebill's kos-mock service: POST /kos-mock/api/v1/kos/bill/inquiry).
   */
  kosProtocol: z.enum(['design', 'phonebill-kos-mock']).default('design'),
  /** `requestorId` the phonebill-kos-mock protocol sends with each request. */
  kosRequestorId: z.string().default('BILL_SERVICE'),
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
      /** The primary's fixed address (e.g. Azure Flexible Server's host name, port 5432). */
      primary: endpoint.optional(),
      /** The read replica's fixed address (§2.2, §7.2: reads and analytics go there). */
      replica: endpoint.optional(),
      /** Every member of a self-hosted cluster: the primary is the one not in recovery. */
      hosts: z.array(endpoint).min(1).optional(),
      patroni: z
        .object({
          /** The Patroni REST APIs of the members (https://host:8008). */
          urls: z.array(z.string().url()).min(1),
          /** CA of the REST API certificates (default: caFile below). */
          caFile: z.string().optional(),
        })
        .optional(),
      /**
       * CA of the server certificate. Either way the certificate is verified
       * (sslmode=verify-full: chain and host name); without a caFile against the
       * trusted CA store (Node's bundled roots plus NODE_EXTRA_CA_CERTS), which
       * holds the roots Azure Database for PostgreSQL chains to.
       */
      caFile: z.string().optional(),
      /**
       * Test setups only: TLS stays on but the server certificate is NOT
       * verified (sslmode=require), so anyone on the path can pose as the
       * database. `serve` warns at every start while this is on.
       */
      allowUnverifiedTls: z.boolean().default(false),
      /**
       * One login for the pools instead of the per-role logins of the plan
       * (§3.3) — phonebill's `DB_USERNAME`/`DB_PASSWORD`. The password is read
       * from the environment variable named by `passwordEnv` (never from the
       * config). Without `readonly`, both pools sign in with it and both go to
       * the primary (no replica reads), and the connection budget counts both.
       */
      login: z
        .object({
          /** The role the pools sign in as (phonebill's `DB_USERNAME`). */
          user: z.string().min(1),
          /** Name of the environment variable holding the password. */
          passwordEnv: z.string().min(1).default('DB_PASSWORD'),
          /** A separate read-only login (e.g. bill_readonly_user) for the read pool, which then goes to the replica. */
          readonly: z
            .object({
              /** The read pool's role (e.g. bill_readonly_user). */
              user: z.string().min(1),
              /** Name of the environment variable holding its password. */
              passwordEnv: z.string().min(1),
            })
            .optional(),
        })
        .optional(),
      /** TLS server name to verify, when it differs from the host connected to (e.g. a private endpoint's IP). */
      servername: z.string().optional(),
      /**
       * §3.3, §7.2: how the pools sign in. `password`: each role with its password
       * (secret store). `entra` (Azure Flexible Server): both pools and the
       * notification listener sign in as the managed identity's role, with
       * Microsoft Entra access tokens as passwords, fetched again before they
       * expire for new connections (no restart). `bill-inquiry azure sql` maps
       * that role to bill_app_user's privileges.
       */
      auth: z.enum(['password', 'entra']).default('password'),
      entra: z
        .object({
          /** The PostgreSQL role of the identity; default azure.serviceIdentityName (bill-inquiry-service-identity). */
          user: z.string().optional(),
          /** Client id of the user-assigned identity: ManagedIdentityCredential; unset: DefaultAzureCredential (workload identity, az login, …). */
          clientId: z.string().optional(),
          /** Token audience of Azure Database for PostgreSQL. */
          scope: z.string().default('https://ossrdbms-aad.database.windows.net/.default'),
          /** A token is replaced this long before it expires (Entra tokens live 60–90 min). */
          refreshBeforeExpiryMs: z.number().int().positive().default(300_000),
        })
        .prefault({}),
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
   * Graceful shutdown (SIGTERM/SIGINT) first answers GET /ready and GET /accepting with 503 for
   * this long (ms), so a load balancer that checks /accepting (`lb config`) takes
   * the instance out before its listener closes: set it above the balancer's
   * check interval × fall count. 0 (default): close at once (a single instance).
   */
  shutdownDrainMs: z.number().int().min(0).default(0),
  /**
   * Service processes per instance (`serve --workers N`, node:cluster on one
   * port; each has its own pools of pool.size): the connection budget counts
   * pool.instances × workers × (pool.size + 1), and `serve` warns when that
   * reaches the connections alert or max_connections minus the reserved ones.
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
  /** Largest request body accepted (bytes); bigger → 413 with the error envelope. */
  bodyLimitBytes: z.number().int().positive().default(8192),
  /** A KOS answer slower than this turns POST /bills/inquiry into 202 PROCESSING; the call finishes in the background. */
  processingAfterMs: z.number().int().positive().default(3000),
  /**
   * What a 202 PROCESSING answer announces as `estimatedTime` ("30초", the design's
   * example), and the time GET /bills/inquiry/{id} measures `progress` against.
   */
  processingEstimateSeconds: z.number().int().positive().default(30),
  /**
   * The API of phonebill's running code under /api/v1/bills (docs/service.md "Two API generations"),
   * beside the design's /bills.
   */
  apiV1: z
    .object({
      /**
       * POST /api/v1/bills/inquiry answers within this (ms) or not at all: past it, 504 KOS_TIMEOUT
       * (the KOS call finishes in the background, its bill cached for the next try). Never a 202,
       * which phonebill's page cannot show. Below the page's own 10 s axios timeout, with room for
       * the network, so the user reads our message instead of a client timeout.
       */
      inquiryDeadlineMs: z.number().int().positive().max(9500).default(8000),
    })
    .prefault({}),
  /**
   * CORS for browser clients (phonebill's React frontend calls the service from its own
   * origin), on /bills and /api/v1/bills only — never on /ops, /metrics or /docs. Preflights
   * are answered before authentication; error answers carry the headers too.
   */
  cors: z
    .object({
      /**
       * Origins allowed to call the API from a browser, exactly as the browser sends them
       * (`https://phonebill.example.com`, scheme and port included); `*` allows every origin
       * (only without credentials). Empty (default): no CORS headers at all. phonebill's
       * `CORS_ALLOWED_ORIGINS` maps onto this key.
       */
      allowedOrigins: z.array(z.string().min(1)).default([]),
      /**
       * Answer `Access-Control-Allow-Credentials: true` (cookies, or axios `withCredentials`).
       * The frontend sends its token as a Bearer header, which needs no credentials mode.
       */
      credentials: z.boolean().default(false),
    })
    .prefault({})
    .refine((c) => !(c.credentials && c.allowedOrigins.includes('*')), {
      message:
        'allowedOrigins "*" with credentials true would let any web site call the API with the user\'s credentials: list the origins, or set credentials false',
    }),
  /** HTTP connections the KOS client keeps open to KOS. */
  kosConnections: z.number().int().positive().default(512),
  /**
   * Rolling window in which KOS failures count toward
   * `circuit.breaker.failure.threshold` (system_config); older failures are forgotten.
   */
  kosBreakerWindowMs: z.number().int().positive().default(60_000),
  jwt: z
    .object({
      /** HS256: shared secret from the SecretStore (`secretName`); RS256: verify with `publicKeyFile` (tokens from the Auth service). */
      algorithm: z.enum(['HS256', 'RS256']).default('HS256'),
      /** Secret-store name of the HS256 key (generated on first use, or BILL_INQUIRY_SECRET_JWT_HS256). */
      secretName: z.string().default('jwt-hs256'),
      /** PEM public key of the Auth service, for RS256. */
      publicKeyFile: z.string().optional(),
      /** `iss` our tokens carry and must carry. */
      issuer: z.string().default('bill-inquiry-auth'),
      /** `aud` our tokens carry and must carry. */
      audience: z.string().default('bill-inquiry'),
      /** Lifetime of tokens issued by `bill-inquiry token`. */
      ttlSeconds: z.number().int().positive().default(3600),
      /** Clock skew allowed on `exp`/`nbf` between the Auth service and this host. */
      clockToleranceSeconds: z.number().int().min(0).default(30),
      /** Verified tokens remembered (until their exp) so the hot path skips the signature check. */
      cacheSize: z.number().int().min(0).default(10_000),
      /**
       * Access tokens of the phonebill Auth service (its user-service `JwtService`):
       * HS512 keyed with the UTF-8 bytes of phonebill's shared `JWT_SECRET`, issuer
       * `phonebill-auth-service`, claims `sub`/`userId`, `customerId`, one `lineNumber`,
       * `type: ACCESS` (REFRESH tokens are refused). Accepted beside our own tokens:
       * a token is routed by its `iss` claim. Used by `serve` and `token --format phonebill`.
       */
      phonebill: z
        .object({
          /** Accept phonebill's Auth tokens at all. */
          enabled: z.boolean().default(true),
          /** `iss` of phonebill's Auth tokens (its user-service sets phonebill-auth-service). */
          issuer: z.string().default('phonebill-auth-service'),
          /** Environment variable with phonebill's shared secret (production, e.g. from Key Vault's jwt_signing_key); read first. */
          secretEnv: z.string().default('JWT_SECRET'),
          /** Secret-store name of the key when that variable is unset: generated on first use (local runs, tests). */
          secretName: z.string().default('jwt-phonebill-hs512'),
          /** Lifetime of tokens `bill-inquiry token --format phonebill` issues (phonebill: 30 min access tokens). */
          ttlSeconds: z.number().int().positive().default(1800),
        })
        .prefault({}),
    })
    .prefault({}),
  cache: z
    .object({
      /** Entries of the in-process LRU in front of the shared tier (Redis, then bill_info_cache / customer_info). */
      maxEntries: z.number().int().positive().default(100_000),
      /**
       * How often the hits counted in this process are added to
       * bill_info_cache.access_count / last_accessed_at (§6 cache statistics).
       * Each batch rewrites every hit row whole — about 1 KB of encrypted bill
       * in the WAL per row — so at the history flush's 200 ms a hot bill was
       * rewritten five times a second: a quarter of PostgreSQL's time in the
       * bench's open loop (issue 23). The counts are statistics: they may be
       * this old, and a killed process loses at most this much of them.
       */
      accessFlushMs: z.number().int().positive().default(10_000),
      /**
       * The shared cache tier of phonebill's physical architecture (Azure Cache for
       * Redis). With `url` set, bill and customer info are shared through Redis, and
       * bill_info_cache / customer_info stay the persistent copy behind it; unset,
       * those tables are the shared tier. A Redis failure never fails a request.
       */
      redis: z
        .object({
          /** redis://host:6379 or rediss://host:6380 (TLS, as Azure wants); unset: no Redis. */
          url: z.string().url().optional(),
          /**
           * Redis Cluster (Azure Premium with shards, as the physical architecture's P2 × 3):
           * `url` is one node to discover the others from; nodes are reached by the names
           * they announce, so TLS certificates still match.
           */
          cluster: z.boolean().default(false),
          /** Secret-store name of the password (Azure's access key) when the URL has none; never generated. */
          passwordSecret: z.string().default('redis-password'),
          /** Environment variable holding the password, read before `passwordSecret` (phonebill: REDIS_PASSWORD). */
          passwordEnv: z.string().optional(),
          /** Prefix of every key, so services sharing one Redis do not collide. */
          keyPrefix: z.string().default('bill-inquiry:'),
          /** A command slower than this is a miss: a hung Redis never stalls a request. */
          commandTimeoutMs: z.number().int().positive().default(200),
          /** A connection not made within this is given up (the cache tier is skipped meanwhile). */
          connectTimeoutMs: z.number().int().positive().default(2000),
          /** CA of the server certificate (rediss://) when it is not publicly trusted. */
          caFile: z.string().optional(),
          /** TLS server name, when it differs from the URL's host. */
          servername: z.string().optional(),
        })
        .prefault({}),
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
      /** How often queued history is written to the database (the journal has it on disk before the answer). */
      flushIntervalMs: z.number().int().positive().default(200),
      /**
       * Queue bound: beyond it new inquiries get 503 instead of growing memory or
       * dropping rows. A queued cache-hit row takes about 450 bytes of heap with
       * the journal (370 without; measured), so the default is about 225 MB — a
       * minute of a 10k/s burst above what the database absorbs, or several
       * minutes of a database outage.
       */
      maxQueued: z.number().int().positive().default(500_000),
      /** Pause after a failed flush before the next try (rows stay queued). */
      retryDelayMs: z.number().int().positive().default(1000),
      /** Graceful shutdown keeps trying to write the queue this long (database down) before giving up loudly. */
      shutdownTimeoutMs: z.number().int().positive().default(30_000),
      /**
       * The local durable journal under the queue (docs/service.md "History"):
       * `<dataDir>/history/journal/<process>/`, one directory per process.
       */
      journal: z
        .object({
          /**
           * Rows are appended to the journal (one write per event-loop turn) before
           * the response is sent, so a kill -9 loses nothing acknowledged. Off only to
           * measure what it costs (`npm run bench -- --journal off`): then a crash
           * loses the queue.
           */
          enabled: z.boolean().default(true),
          /**
           * fdatasync interval. A process crash loses nothing either way (written rows
           * are in the page cache); a power loss or kernel crash loses at most the
           * rows acknowledged in this interval plus one fdatasync (measured 10–20 ms
           * for 1.6 MB on this machine's disk).
           */
          fsyncIntervalMs: z.number().int().positive().default(100),
          /**
           * Disk budget of one process's journal (its own files and the ones it
           * adopted). From 90 % of it new inquiries get 503 instead of anything
           * being dropped; the alert `historyJournal` fires at 50 %. A row takes
           * about 1.1 KB (a cache hit, bill info encrypted), so 2 GiB hold about 1.9
           * million rows: 2 minutes of a full 15k req/s load with the database
           * down, 30 minutes at 1,000 req/s. `maxQueued` (memory) may bind first.
           */
          maxBytes: z
            .number()
            .int()
            .positive()
            .default(2 * 1024 ** 3),
          /**
           * Size at which a journal file is sealed and the next one started. A sealed
           * file is deleted once all its rows are committed; replay reads one file per
           * step (8 MiB parse in ~30 ms), so this bounds that pause too.
           */
          segmentBytes: z
            .number()
            .int()
            .positive()
            .default(8 * 1024 ** 2),
          /**
           * A journal directory of another host (shared volume, or a container back
           * with a new host name) is claimed once its owner has not touched it for
           * this long; on this host the owner's pid and start time decide at once.
           */
          staleAfterMs: z.number().int().positive().default(30_000),
          /** How often a running service looks for journals of processes that died (besides at start). */
          claimIntervalMs: z.number().int().positive().default(10_000),
        })
        .prefault({}),
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
      /**
       * Directory holding the column keys as files `column-key-current` (the kid)
       * and `column-key-<kid>` (32 bytes, base64), e.g. a Kubernetes Secret or
       * Key Vault CSI volume shared by every replica (mode 0400/0600). Unset: the
       * data dir's secrets. Either way BILL_INQUIRY_SECRET_COLUMN_KEY_* variables
       * win. On the external topology keys are never generated: a missing key is
       * a startup error (`bill-inquiry keys new` makes one).
       */
      keysDir: z.string().optional(),
    })
    .prefault({}),
  /** The bundled KOS mock (`bill-inquiry kos-mock`, or in-process under `serve`). */
  kosMock: z
    .object({
      /**
       * Answer with the bundled mock's test bills in-process when no kosUrl is
       * set (`serve --kos-mock`). Unset: only on a local topology (plain, ha);
       * on the external topology a missing kosUrl is a startup error instead.
       */
      inProcess: z.boolean().optional(),
      /** Port of `bill-inquiry kos-mock` (0 picks a free one). */
      port: z.number().int().min(0).max(65535).default(0),
      /** Delay of every answer (phonebill's kos-mock: 100 ms in dev, 1,000 ms in its prod profile). */
      latencyMs: z.number().int().min(0).default(20),
      /** Share of calls answered E999 / HTTP 500. */
      failureRate: z.number().min(0).max(1).default(0),
      /** Share of calls that hang for `hangMs` (to exercise read timeouts). */
      timeoutRate: z.number().min(0).max(1).default(0),
      /** How long a hanging call hangs (longer than the KOS read timeout). */
      hangMs: z.number().int().min(0).default(120_000),
    })
    .prefault({}),
});
export type ServiceConfig = z.infer<typeof serviceSection>;

/** The role the service signs in as with Entra tokens: service.database.entra.user, else the managed identity's name (§3.3). */
export const entraRoleName = (service: Readonly<ServiceConfig>, serviceIdentityName: string): string =>
  service.database?.entra.user ?? serviceIdentityName;
