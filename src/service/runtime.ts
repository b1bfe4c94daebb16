import { EventEmitter } from 'node:events';
import type { Config } from '../config/schema.js';
import type { TokenCredential } from '@azure/identity';
import { entraRoleName } from '../config/sections/service.js';
import type { PoolTarget } from '../db/connection.js';
import { createLogger } from '../log.js';
import type { SupervisionStats } from '../cluster/local/supervisor.js';
import { configuredLogin, rolePassword } from '../platform/roleTargets.js';
import type { DbLocator, Topology } from '../topology/types.js';
import { KosClient, type KosClientSettings } from '../kos/client/kosClient.js';
import { kosAdapter } from '../kos/protocols/index.js';
import type { BreakerState } from '../kos/client/breaker.js';
import { tokenVerifier, type Principal } from './auth/tokens.js';
import { BillCache, type CacheStats } from './cache/billCache.js';
import { CustomerCache } from './cache/customerCache.js';
import { RedisTier } from './cache/redisTier.js';
import { kosLiveSettings } from '../config/systemConfigTable.js';
import { LiveConfig, type LiveSettings } from './config/liveSettings.js';
import { NotifyListener } from './config/notifyListener.js';
import { ColumnCipher } from './crypto/columnCipher.js';
import { openKeyring } from './crypto/keyring.js';
import { KeyWatcher } from './crypto/keyWatcher.js';
import { checkExternalDatabase } from './db/externalCheck.js';
import { RoutedPool } from './db/pools.js';
import { readPoolOnPrimary } from '../platform/connectionBudget.js';
import { entraCredential, TokenPassword } from './db/tokenPassword.js';
import { ReadRouter } from './db/readRouter.js';
import { HistoryWriter, type HistoryStats } from './history/historyWriter.js';
import { InquiryService } from './bills/inquiryService.js';
import { HistoryQuery } from './bills/historyQuery.js';
import { utcOffset } from './bills/months.js';
import { safeError } from './logSafe.js';
import { BillInquiryError, errorMessage } from '../errors.js';

/** The KOS client's settings: the live table's share (config/systemConfigTable.ts) and the breaker window of the config. */
const kosSettings = (s: LiveSettings, windowMs: number): KosClientSettings => ({ windowMs, ...kosLiveSettings(s) });

/**
 * Connection template for a role: everything but the endpoint, which the
 * locator gives (TLS from the topology). With Entra sign-in (an external Azure
 * database) every connection is the identity's role with a token as password;
 * with service.database.login (phonebill's DB_USERNAME) it is that login.
 */
function roleTemplate(
  topology: Topology,
  role: 'app' | 'readonly',
  entra?: TokenPassword,
): Omit<PoolTarget, 'host' | 'port'> {
  const cfg = topology.cfg;
  const login = entra ? undefined : configuredLogin(cfg, role);
  const {
    host: _h,
    port: _p,
    ...template
  } = topology.connection(
    { host: cfg.cluster.host, port: 0 },
    cfg.database.name,
    login?.user ?? cfg.database.roles[role],
    // With Entra sign-in no role password is used: none may be generated into the secret store.
    entra ? '' : (login?.password ?? rolePassword(cfg, role)),
  );
  return entra
    ? { ...template, user: entraRoleName(cfg.service, cfg.azure.serviceIdentityName), password: entra.password }
    : template;
}

/** How the service reaches its database: the topology, and optionally another locator (tests) and the supervisor's figures. */
export interface ServiceDatabase {
  topology: Topology;
  /** Default: the topology's own locator. */
  locator?: DbLocator;
  /** What the supervisor of the PostgreSQL this process started has done (restarts), for /metrics. */
  supervision?: () => SupervisionStats | undefined;
}

/**
 * Everything a running service holds, and the stable read-only view that
 * monitoring (src/monitor, via extraPlugins) uses: breakerState, cacheStats,
 * historyStats, poolStats, and `events` ('kosCall' {durationMs, outcome,
 * resultCode?}, 'request' {method, route, statusCode, durationMs}).
 */
export class ServiceRuntime {
  readonly events = new EventEmitter();
  readonly log = createLogger({ name: 'bill-inquiry-service' });
  readonly primary: RoutedPool;
  readonly replica: RoutedPool;
  readonly reads: ReadRouter;
  readonly listener: NotifyListener;
  readonly live: LiveConfig;
  readonly kos: KosClient;
  readonly cipher: ColumnCipher;
  readonly billCache: BillCache;
  readonly customers: CustomerCache;
  /** The shared Redis tier, when `service.cache.redis.url` is set. */
  readonly redis?: RedisTier;
  readonly history: HistoryWriter;
  readonly inquiries: InquiryService;
  readonly historyQuery: HistoryQuery;
  readonly verify: (token: string) => Principal;
  private readonly entra?: TokenPassword;
  readonly locator: DbLocator;
  readonly topology: Topology;
  /** Set while a graceful shutdown drains: /ready answers 503 so a load balancer stops sending requests. */
  draining = false;
  private readonly supervision?: () => SupervisionStats | undefined;

  constructor(
    readonly cfg: Readonly<Config>,
    db: ServiceDatabase,
    kosUrl: string,
    /** Entra sign-in: the credential whose tokens are the passwords (default: from service.database.entra). */
    credential?: TokenCredential,
  ) {
    const svc = cfg.service;
    const locator = (this.locator = db.locator ?? db.topology.locator);
    this.topology = db.topology;
    this.supervision = db.supervision;
    const dbCfg = svc.database;
    const entra = (this.entra =
      dbCfg?.auth === 'entra'
        ? new TokenPassword(
            credential ?? entraCredential(dbCfg.entra),
            dbCfg.entra.scope,
            dbCfg.entra.refreshBeforeExpiryMs,
            (e) => this.log.warn({ err: safeError(e) }, 'Entra token refresh failed; the current token is still valid'),
          )
        : undefined);
    const app = roleTemplate(db.topology, 'app', entra);
    this.primary = new RoutedPool('primary', cfg, app, () => locator.primary(), locator);
    // One login and no read-only one (phonebill's DB_USERNAME): the read pool goes to the primary too.
    const readsOnPrimary = readPoolOnPrimary(cfg);
    this.replica = new RoutedPool(
      'replica',
      cfg,
      roleTemplate(db.topology, 'readonly', entra),
      readsOnPrimary ? () => locator.primary() : () => locator.replica(),
      locator,
    );
    this.reads = new ReadRouter(this.primary, this.replica, svc.replica);
    this.live = new LiveConfig(cfg, this.log);
    this.kos = new KosClient(
      kosUrl,
      kosAdapter(svc.kosProtocol),
      kosSettings(this.live.settings, svc.kosBreakerWindowMs),
      svc.kosConnections,
      svc.kosRequestorId,
    );
    this.kos.on('call', (e) => this.events.emit('kosCall', e));
    this.live.on('change', (s: LiveSettings) => this.kos.reconfigure(kosSettings(s, svc.kosBreakerWindowMs)));
    this.cipher = new ColumnCipher(openKeyring(cfg));
    this.listener = new NotifyListener(cfg, app, locator, this.log);
    this.listener.add(this.live);
    this.listener.add(new KeyWatcher(this.cipher.keyring, this.log));
    const { url } = svc.cache.redis;
    this.redis = url ? new RedisTier({ ...svc.cache.redis, url }, cfg.dataDir, this.cipher, this.log) : undefined;
    this.billCache = new BillCache(
      svc.cache.maxEntries,
      this.primary,
      this.cipher,
      this.log,
      this.redis,
      svc.cache.accessFlushMs,
    );
    this.customers = new CustomerCache(svc.cache.maxEntries, this.primary, this.cipher, this.log, this.redis);
    this.history = new HistoryWriter(cfg, this.primary, this.cipher, this.log);
    this.inquiries = new InquiryService(
      {
        timeZone: cfg.database.timezone,
        processingAfterMs: svc.processingAfterMs,
        estimateSeconds: svc.processingEstimateSeconds,
      },
      this.live,
      this.billCache,
      this.customers,
      this.kos,
      this.history,
    );
    this.historyQuery = new HistoryQuery(
      this.primary,
      this.reads,
      this.history,
      this.cipher,
      utcOffset(cfg.database.timezone),
      svc.processingEstimateSeconds * 1000,
      { waitMs: svc.peerVisibilityMs, pollMs: Math.max(20, Math.floor(svc.history.flushIntervalMs / 2)) },
    );
    this.verify = tokenVerifier(cfg);
  }

  async start(): Promise<void> {
    // Without a token every connection would fail later, one request at a time: say so once, at start.
    await this.entra?.password().catch((e: unknown) => {
      throw new BillInquiryError(
        'ENTRA_TOKEN',
        `no Microsoft Entra token for ${this.cfg.service.database?.entra.scope}: ${errorMessage(e)}`,
        "on Azure give the service its managed identity (service.database.entra.clientId = the identity's client id); elsewhere `az login`, or use service.database.auth=password",
        { cause: e },
      );
    });
    if (this.topology.kind === 'external')
      await checkExternalDatabase(this.cfg, this.primary).catch(async (e: unknown) => {
        // Nothing else has started yet: close what the constructor opened, so the process can exit.
        await Promise.allSettled([this.kos.close(), this.redis?.close(), this.primary.end(), this.replica.end()]);
        throw e;
      });
    // Reads on the replica are checked every second by the read router; writes must follow the primary.
    this.primary.follow(this.cfg.service.followPrimaryMs);
    await this.listener.start();
    await this.reads.start();
    this.history.start(() => this.billCache.flushShared());
  }

  /** Flushes history (graceful shutdown), then closes connections. */
  async stop(): Promise<void> {
    await this.inquiries.drain(this.cfg.service.processingAfterMs);
    await this.history.close(this.cfg.service.history.shutdownTimeoutMs);
    await this.billCache.flushShared(true);
    this.reads.stop();
    await this.listener.stop();
    await this.kos.close();
    await this.redis?.close();
    await Promise.all([this.primary.end(), this.replica.end()]);
  }

  breakerState(): BreakerState {
    return this.kos.breaker.state();
  }

  cacheStats(): CacheStats {
    return this.billCache.stats();
  }

  historyStats(): HistoryStats {
    return this.history.historyStats();
  }

  poolStats(): Record<string, { total: number; idle: number; waiting: number }> {
    return { primary: this.primary.stats(), replica: this.replica.stats() };
  }

  /** Restarts of the database by the supervisor of this process (undefined: this process supervises nothing). */
  supervisionStats(): SupervisionStats | undefined {
    return this.supervision?.();
  }
}
