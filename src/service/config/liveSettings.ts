import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Config } from '../../config/schema.js';
import type { createLogger } from '../../log.js';
import { LISTEN_CONFIG, SELECT_ACTIVE_CONFIG } from '../db/sql/systemConfig.js';
import { safeError } from '../logSafe.js';
import type { ChannelHandler } from './notifyListener.js';

/** The thresholds the service takes from the live system_config table. */
export interface LiveSettings {
  billCacheTtlMs: number;
  customerCacheTtlMs: number;
  availableMonths: number;
  kosConnectTimeoutMs: number;
  kosReadTimeoutMs: number;
  /** Retries after the first try. */
  kosRetryMaxAttempts: number;
  kosRetryDelayMs: number;
  failureThreshold: number;
  recoveryTimeoutMs: number;
  successThreshold: number;
}

const HOUR = 3_600_000;
/** The keys the service reads: phonebill's schema-script names only (the old ones were renamed by a migration). */
const KEYS: Record<string, (s: LiveSettings, n: number) => void> = {
  'bill.cache.ttl.hours': (s, n) => (s.billCacheTtlMs = n * HOUR),
  'bill.customer.cache.ttl.hours': (s, n) => (s.customerCacheTtlMs = n * HOUR),
  'bill.inquiry.available.months': (s, n) => (s.availableMonths = n),
  'kos.connection.timeout.ms': (s, n) => (s.kosConnectTimeoutMs = n),
  'kos.read.timeout.ms': (s, n) => (s.kosReadTimeoutMs = n),
  'kos.retry.max.attempts': (s, n) => (s.kosRetryMaxAttempts = n),
  'kos.retry.delay.ms': (s, n) => (s.kosRetryDelayMs = n),
  'circuit.breaker.failure.threshold': (s, n) => (s.failureThreshold = n),
  'circuit.breaker.recovery.timeout.ms': (s, n) => (s.recoveryTimeoutMs = n),
  'circuit.breaker.success.threshold': (s, n) => (s.successThreshold = n),
};

/** The seeds (cfg.systemConfig): what applies until the table has been read. */
export function seedSettings(cfg: Readonly<Config>): LiveSettings {
  const s = cfg.systemConfig;
  return {
    billCacheTtlMs: s.billCacheTtlHours * HOUR,
    customerCacheTtlMs: s.customerCacheTtlHours * HOUR,
    availableMonths: s.inquiryAvailableMonths,
    kosConnectTimeoutMs: s.kosConnectTimeoutMs,
    kosReadTimeoutMs: s.kosReadTimeoutMs,
    kosRetryMaxAttempts: s.kosRetryAttempts,
    kosRetryDelayMs: s.kosRetryDelayMs,
    failureThreshold: s.circuitFailureThreshold,
    recoveryTimeoutMs: s.circuitRecoveryTimeoutMs,
    successThreshold: s.circuitSuccessThreshold,
  };
}

/**
 * system_config, live: read when the listener connects and again whenever the
 * table's trigger NOTIFYs `system_config_changed` (NotifyListener: a dedicated
 * connection to the primary, re-established after errors). Emits 'change'
 * with the new settings.
 */
export class LiveConfig extends EventEmitter implements ChannelHandler {
  /** The channel LISTEN_CONFIG subscribes to (the system_config trigger's pg_notify). */
  readonly channel = 'system_config_changed';
  readonly listen = LISTEN_CONFIG;
  settings: LiveSettings;

  constructor(
    private readonly cfg: Readonly<Config>,
    private readonly log: ReturnType<typeof createLogger>,
  ) {
    super();
    this.settings = seedSettings(cfg);
  }

  onConnect(client: pg.Client): Promise<void> {
    return this.reload(client);
  }

  onNotify(client: pg.Client): void {
    void this.reload(client).catch((e: unknown) => this.log.warn({ err: safeError(e) }, 'system_config reload failed'));
  }

  private async reload(client: pg.Client): Promise<void> {
    const { rows } = await client.query<{ config_key: string; config_value: string }>(SELECT_ACTIVE_CONFIG);
    const next = seedSettings(this.cfg);
    for (const r of rows) {
      const n = Number(r.config_value);
      const set = KEYS[r.config_key];
      if (set && Number.isFinite(n) && n >= 0) set(next, n);
    }
    this.settings = next;
    this.emit('change', next);
  }
}
