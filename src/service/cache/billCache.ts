import { LRUCache } from 'lru-cache';
import type { createLogger } from '../../log.js';
import type { BillInfo } from '../../kos/protocol.js';
import type { ColumnCipher } from '../crypto/columnCipher.js';
import type { RoutedPool } from '../db/pools.js';
import { BUMP_BILL_CACHE_ACCESS, SELECT_BILL_CACHE, UPSERT_BILL_CACHE } from '../db/sql/cache.js';
import { safeError } from '../logSafe.js';
import type { RedisTier } from './redisTier.js';

export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
}

/**
 * Cache-aside for bill info: an in-process LRU (a hit costs no I/O) in front
 * of the shared tier — Redis when configured, then the bill_info_cache table,
 * the plan's persistent copy (another instance's fetch counts). TTL from
 * system_config. Any cache failure is logged and treated as a miss.
 */
export class BillCache {
  private readonly lru: LRUCache<string, BillInfo>;
  private hits = 0;
  private sharing?: Promise<void>;
  private misses = 0;
  /** Entries fetched from KOS, not yet in bill_info_cache (written by `flushShared`). */
  private fresh = new Map<string, { line: string; month: string; bill: BillInfo; expiresAt: Date }>();
  /** Hits per key not yet added to bill_info_cache.access_count (written by `flushAccess`). */
  private access = new Map<string, number>();
  private accessFlushedAt = Date.now();

  constructor(
    maxEntries: number,
    private readonly primary: RoutedPool,
    private readonly cipher: ColumnCipher,
    private readonly log: ReturnType<typeof createLogger>,
    /** The shared tier in front of the table, when `service.cache.redis.url` is set. */
    private readonly redis?: RedisTier,
    /** How often hit counts go to bill_info_cache (service.cache.accessFlushMs says why not every flush). */
    private readonly accessEveryMs = 0,
  ) {
    this.lru = new LRUCache({ max: maxEntries, ttlAutopurge: false });
  }

  static key(line: string, month: string): string {
    return `${line}:${month}`;
  }

  /** In-process only: synchronous, for the hot path. */
  local(line: string, month: string): BillInfo | undefined {
    const key = BillCache.key(line, month);
    const hit = this.lru.get(key);
    if (hit) {
      this.hits += 1;
      this.access.set(key, (this.access.get(key) ?? 0) + 1);
    }
    return hit;
  }

  /** The shared tier (after a local miss): Redis when configured, then the bill_info_cache table. */
  async shared(line: string, month: string): Promise<BillInfo | undefined> {
    const key = BillCache.key(line, month);
    const fromRedis = await this.redis?.getBill(line, month);
    if (fromRedis) {
      this.lru.set(key, fromRedis.bill, { ttl: fromRedis.ttlMs });
      this.hits += 1;
      this.access.set(key, (this.access.get(key) ?? 0) + 1);
      return fromRedis.bill;
    }
    try {
      const { rows } = await this.primary.query<{ bill_info: string; expires_at: Date }>({
        name: 'bill_cache_get',
        text: SELECT_BILL_CACHE,
        values: [key],
      });
      const row = rows[0];
      if (!row) {
        this.misses += 1;
        return undefined;
      }
      const bill = this.cipher.decryptJson<BillInfo>('bill_info_json', row.bill_info);
      const ttl = Math.max(1, row.expires_at.getTime() - Date.now());
      this.lru.set(key, bill, { ttl });
      // The persistent copy answered (Redis restarted, or evicted it): share it through Redis again.
      this.redis?.putBill(line, month, bill, ttl);
      this.hits += 1;
      this.access.set(key, (this.access.get(key) ?? 0) + 1);
      return bill;
    } catch (e) {
      this.misses += 1;
      this.log.warn({ err: safeError(e) }, 'bill cache read failed; treating as miss');
      return undefined;
    }
  }

  /** Stores in the LRU and Redis now and queues the shared-table write (next flush); never throws. */
  put(line: string, month: string, bill: BillInfo, ttlMs: number): void {
    const key = BillCache.key(line, month);
    this.lru.set(key, bill, { ttl: ttlMs });
    this.redis?.putBill(line, month, bill, ttlMs);
    this.fresh.set(key, { line, month, bill, expiresAt: new Date(Date.now() + ttlMs) });
  }

  /**
   * Writes queued entries, and the access statistics once every
   * `accessEveryMs` (or now, with `all`: at shutdown); a failure is logged
   * and costs only sharing, never a request. One write at a time: while the
   * database stalls, the timer's later calls wait for it instead of piling up
   * statements that hold every pool connection when it resumes.
   */
  flushShared(all = false): Promise<void> {
    const accessDue = all || Date.now() - this.accessFlushedAt >= this.accessEveryMs;
    // Both writers log and swallow their own failures: this promise never rejects.
    this.sharing ??= Promise.all([this.flushFresh(), accessDue ? this.flushAccess() : undefined])
      .then(() => undefined)
      .finally(() => (this.sharing = undefined));
    return this.sharing;
  }

  private async flushFresh(): Promise<void> {
    if (this.fresh.size === 0) return;
    const batch = [...this.fresh].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.fresh = new Map();
    try {
      const values = [
        batch.map(([k]) => k),
        batch.map(([, e]) => e.line),
        batch.map(([, e]) => e.month),
        batch.map(([, e]) => this.cipher.encryptJson('bill_info_json', e.bill)),
        batch.map(([, e]) => e.expiresAt.toISOString()),
      ];
      await this.primary.query({ name: 'bill_cache_put', text: UPSERT_BILL_CACHE, values });
    } catch (e) {
      this.log.warn({ err: safeError(e) }, 'bill cache write failed; continuing without the shared cache');
    }
  }

  /** Adds the hits counted since last time to access_count / last_accessed_at, one statement; losing them is harmless. */
  private async flushAccess(): Promise<void> {
    this.accessFlushedAt = Date.now();
    if (this.access.size === 0) return;
    const batch = this.access;
    this.access = new Map();
    try {
      await this.primary.query({
        name: 'bill_cache_access',
        text: BUMP_BILL_CACHE_ACCESS,
        values: [[...batch.keys()], [...batch.values()]],
      });
    } catch (e) {
      this.log.warn({ err: safeError(e) }, 'bill cache access statistics not written');
    }
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, size: this.lru.size };
  }
}
