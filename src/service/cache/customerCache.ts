import { LRUCache } from 'lru-cache';
import type { createLogger } from '../../log.js';
import type { CustomerInfo } from '../../kos/protocol.js';
import type { ColumnCipher } from '../crypto/columnCipher.js';
import type { RoutedPool } from '../db/pools.js';
import { SELECT_CUSTOMER, UPSERT_CUSTOMER } from '../db/sql/cache.js';
import { safeError } from '../logSafe.js';
import type { RedisTier } from './redisTier.js';

const NAME_COLUMN = 'customer_info.customer_name';
/** customer_info.customer_name holds ciphertext; the plan's varchar(100) limit applies to the plaintext. */
const MAX_NAME = 100;

/** Customer info of a line: LRU, then Redis (when configured), then the customer_info table (name encrypted), else KOS via `fetch`. */
export class CustomerCache {
  private readonly lru: LRUCache<string, CustomerInfo>;

  constructor(
    maxEntries: number,
    private readonly primary: RoutedPool,
    private readonly cipher: ColumnCipher,
    private readonly log: ReturnType<typeof createLogger>,
    private readonly redis?: RedisTier,
  ) {
    this.lru = new LRUCache({ max: maxEntries });
  }

  async get(
    line: string,
    ttlMs: number,
    fetch: () => Promise<CustomerInfo | undefined>,
  ): Promise<CustomerInfo | undefined> {
    const hit = this.lru.get(line) ?? (await this.fromRedis(line)) ?? (await this.fromTable(line));
    if (hit) return hit;
    const fresh = await fetch();
    if (fresh) await this.store(fresh, ttlMs);
    return fresh;
  }

  /** A customer KOS sent along with a bill: cached unless a fresh copy is already here (no extra write per inquiry). */
  offer(c: CustomerInfo, ttlMs: number): void {
    if (!this.lru.has(c.lineNumber)) void this.store(c, ttlMs);
  }

  private async fromRedis(line: string): Promise<CustomerInfo | undefined> {
    const hit = await this.redis?.getCustomer(line);
    if (hit) this.lru.set(line, hit.customer, { ttl: hit.ttlMs });
    return hit?.customer;
  }

  private async fromTable(line: string): Promise<CustomerInfo | undefined> {
    try {
      const { rows } = await this.primary.query<{
        customer_id: string;
        line_number: string;
        customer_name: string;
        status: 'ACTIVE' | 'INACTIVE';
        operator_code: string;
        expires_at: Date;
      }>({ name: 'customer_get', text: SELECT_CUSTOMER, values: [line] });
      const r = rows[0];
      if (!r) return undefined;
      const info: CustomerInfo = {
        customerId: r.customer_id,
        lineNumber: r.line_number,
        customerName: this.cipher.decrypt(NAME_COLUMN, r.customer_name),
        status: r.status,
        operatorCode: r.operator_code,
      };
      const ttl = Math.max(1, r.expires_at.getTime() - Date.now());
      this.lru.set(line, info, { ttl });
      this.redis?.putCustomer(info, ttl);
      return info;
    } catch (e) {
      this.log.warn({ err: safeError(e) }, 'customer cache read failed; asking KOS');
      return undefined;
    }
  }

  private async store(c: CustomerInfo, ttlMs: number): Promise<void> {
    this.lru.set(c.lineNumber, c, { ttl: ttlMs });
    this.redis?.putCustomer(c, ttlMs);
    try {
      const name = this.cipher.encrypt(NAME_COLUMN, [...c.customerName].slice(0, MAX_NAME).join(''));
      await this.primary.query({
        name: 'customer_put',
        text: UPSERT_CUSTOMER,
        values: [c.customerId, c.lineNumber, name, c.status, c.operatorCode, new Date(Date.now() + ttlMs)],
      });
    } catch (e) {
      this.log.warn({ err: safeError(e) }, 'customer cache write failed; continuing');
    }
  }
}
