import { readFileSync } from 'node:fs';
import { Cluster, Redis } from 'ioredis';
import type { Config } from '../../config/schema.js';
import type { createLogger } from '../../log.js';
import type { BillInfo, CustomerInfo } from '../../kos/protocol.js';
import { SecretStore } from '../../system/secrets.js';
import type { ColumnCipher } from '../crypto/columnCipher.js';
import { safeError } from '../logSafe.js';

type RedisConfig = Config['service']['cache']['redis'];

/** One warning per this many ms while Redis keeps failing: an outage must not flood the log at the request rate. */
const WARN_EVERY_MS = 10_000;

/**
 * The shared cache tier on Redis (phonebill's physical architecture: Azure
 * Cache for Redis, TLS on 6380). Keys `<prefix>bill_info:<line>:<month>` and
 * `<prefix>customer_info:<line>` (the inner sequence's names, by line), values
 * encrypted with the column cipher like bill_info_cache, TTLs from system_config.
 *
 * It never fails or stalls a request: no offline queue (while disconnected a
 * command fails at once), no per-command retries, and a short command timeout
 * for a Redis that hangs; every failure is a miss (reads) or a lost share
 * (writes), logged at most every 10 s. ioredis reconnects in the background.
 */
export class RedisTier {
  private readonly client: Redis | Cluster;
  private lastWarn = 0;
  private failures = 0;

  constructor(
    cfg: RedisConfig & { url: string },
    dataDir: string,
    private readonly cipher: ColumnCipher,
    private readonly log: ReturnType<typeof createLogger>,
  ) {
    const url = new URL(cfg.url);
    const password = url.password
      ? undefined
      : ((cfg.passwordEnv ? process.env[cfg.passwordEnv] : undefined) ??
        new SecretStore(dataDir).peek(cfg.passwordSecret));
    const tls =
      url.protocol === 'rediss:'
        ? {
            tls: {
              ...(cfg.caFile ? { ca: readFileSync(cfg.caFile) } : {}),
              ...(cfg.servername ? { servername: cfg.servername } : {}),
            },
          }
        : {};
    const perNode = {
      ...(password ? { password } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...tls,
      maxRetriesPerRequest: 0,
      commandTimeout: cfg.commandTimeoutMs,
      connectTimeout: cfg.connectTimeoutMs,
    };
    // Reconnect for ever, at most every 2 s: the cache comes back when Redis does.
    const retry = (times: number) => Math.min(times * 100, 2000);
    this.client = cfg.cluster
      ? new Cluster([{ host: url.hostname, port: Number(url.port || 6379) }], {
          keyPrefix: cfg.keyPrefix,
          enableOfflineQueue: false,
          clusterRetryStrategy: retry,
          slotsRefreshTimeout: cfg.connectTimeoutMs,
          // Keep the announced host names: a TLS certificate names the host, not its addresses.
          dnsLookup: (address, callback) => callback(null, address),
          redisOptions: perNode,
        })
      : new Redis(cfg.url, { ...perNode, keyPrefix: cfg.keyPrefix, enableOfflineQueue: false, retryStrategy: retry });
    this.client.on('error', (e: unknown) => this.failed(e, 'connection'));
    const cluster = this.client instanceof Cluster ? this.client : undefined;
    // Cluster nodes connect lazily, and without an offline queue a command to a node still connecting
    // fails: connect every master as soon as the slots are known, not on the first requests.
    cluster?.on('ready', () => {
      for (const node of cluster.nodes('master')) void node.ping().catch(() => undefined);
    });
  }

  async getBill(line: string, month: string): Promise<{ bill: BillInfo; ttlMs: number } | undefined> {
    const hit = await this.get(`bill_info:${line}:${month}`);
    return hit && { bill: this.cipher.decryptJson<BillInfo>('bill_info_json', hit.value), ttlMs: hit.ttlMs };
  }

  /** Fire and forget: the request never waits for Redis. */
  putBill(line: string, month: string, bill: BillInfo, ttlMs: number): void {
    this.set(`bill_info:${line}:${month}`, () => this.cipher.encryptJson('bill_info_json', bill), ttlMs);
  }

  async getCustomer(line: string): Promise<{ customer: CustomerInfo; ttlMs: number } | undefined> {
    const hit = await this.get(`customer_info:${line}`);
    return hit && { customer: this.cipher.decryptJson<CustomerInfo>('customer_info', hit.value), ttlMs: hit.ttlMs };
  }

  putCustomer(c: CustomerInfo, ttlMs: number): void {
    this.set(`customer_info:${c.lineNumber}`, () => this.cipher.encryptJson('customer_info', c), ttlMs);
  }

  /** Connected and usable now. */
  get ready(): boolean {
    if (this.client.status !== 'ready') return false;
    return !(this.client instanceof Cluster) || this.client.nodes('master').every((n) => n.status === 'ready');
  }

  /** Commands that failed since the start (monitoring, tests). */
  get failedCommands(): number {
    return this.failures;
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** The value and its remaining TTL in one round trip; undefined on a miss or any failure. */
  private async get(key: string): Promise<{ value: string; ttlMs: number } | undefined> {
    if (this.client.status !== 'ready') return undefined;
    try {
      const res = await this.client.pipeline().get(key).pttl(key).exec();
      const failed = res?.find(([err]) => err)?.[0];
      if (failed) throw failed;
      const value = res?.[0]?.[1];
      const ttlMs = res?.[1]?.[1];
      if (typeof value !== 'string' || typeof ttlMs !== 'number' || ttlMs <= 0) return undefined;
      return { value, ttlMs };
    } catch (e) {
      this.failed(e, 'read');
      return undefined;
    }
  }

  private set(key: string, value: () => string, ttlMs: number): void {
    if (this.client.status !== 'ready') {
      this.failures += 1;
      return;
    }
    this.client.set(key, value(), 'PX', Math.max(1, Math.round(ttlMs))).catch((e: unknown) => this.failed(e, 'write'));
  }

  private failed(e: unknown, what: string): void {
    this.failures += 1;
    const now = Date.now();
    if (now - this.lastWarn < WARN_EVERY_MS) return;
    this.lastWarn = now;
    this.log.warn(
      { err: safeError(e), failedCommands: this.failures },
      `redis ${what} failed; serving from the in-process cache, the tables and KOS meanwhile`,
    );
  }
}
