// The one table of the `system_config` settings (the runtime knobs operators
// change in the live table without a restart). Everything else is derived
// from it: the systemConfig config section (the seeds), the rows `db apply`
// seeds and `db verify` expects, the service's LiveSettings and its reader,
// and the KOS client's settings. Adding a setting is one line here.
//
// It lives in config/ because both config/ (the section) and service/ (the
// reader) use it, and config/ is the ground floor (.dependency-cruiser.js).

const HOUR_MS = 3_600_000;

/** One `system_config` row and where it goes. */
export interface SettingDef {
  /** config_key, as phonebill's schema script names it (phonebill-design-facts.md §5). */
  readonly key: string;
  /** config_type of the row (every seeded one is an INTEGER today). */
  readonly type: 'INTEGER';
  /**
   * Where the seed comes from: a key of the systemConfig section (its default
   * below), or another section's key (`database.retention.*`: one source).
   */
  readonly seed: { readonly systemConfig: string; readonly default: number } | { readonly from: RetentionKey };
  /** Smallest value accepted, in the seed config and in the live table (a smaller live value is ignored). */
  readonly min: 0 | 1;
  readonly unit: 'hours' | 'ms' | 'months' | 'retries' | 'calls' | 'days';
  /** The LiveSettings field it feeds (value × `scale`); absent = read by no running service (seeded for phonebill parity or by db maintain). */
  readonly live?: string;
  /** Multiplier from the row's unit to the live field's (hours → ms). */
  readonly scale?: number;
  /** The KOS client setting (KosClientSettings) the live field feeds. */
  readonly kos?: string;
  /** The row's description column. */
  readonly description: string;
  /** Where the value comes from: the schema script's seed, the plan section. */
  readonly source: string;
}

type RetentionKey = 'billHistoryDays' | 'kosHistoryDays';

/** Plan §6.1 applies phonebill's schema script, whose seed rows these are; §6.2 checks them. */
const SCHEMA = 'bill-inquiry-schema.psql seed, plan §6.1';

/* prettier-ignore */
export const SYSTEM_CONFIG = [
  { key: 'bill.cache.ttl.hours', type: 'INTEGER', seed: { systemConfig: 'billCacheTtlHours', default: 4 }, min: 1, unit: 'hours', live: 'billCacheTtlMs', scale: HOUR_MS, description: 'Bill info cache TTL (hours)', source: `${SCHEMA}; bill-inquiry.md` },
  { key: 'bill.customer.cache.ttl.hours', type: 'INTEGER', seed: { systemConfig: 'customerCacheTtlHours', default: 1 }, min: 1, unit: 'hours', live: 'customerCacheTtlMs', scale: HOUR_MS, description: 'Customer info cache TTL (hours)', source: `${SCHEMA}; bill-inquiry.md` },
  { key: 'bill.inquiry.available.months', type: 'INTEGER', seed: { systemConfig: 'inquiryAvailableMonths', default: 24 }, min: 1, unit: 'months', live: 'availableMonths', description: 'Months a customer can query', source: SCHEMA },
  { key: 'kos.connection.timeout.ms', type: 'INTEGER', seed: { systemConfig: 'kosConnectTimeoutMs', default: 30_000 }, min: 1, unit: 'ms', live: 'kosConnectTimeoutMs', kos: 'connectTimeoutMs', description: 'KOS connection timeout (ms)', source: SCHEMA },
  { key: 'kos.read.timeout.ms', type: 'INTEGER', seed: { systemConfig: 'kosReadTimeoutMs', default: 60_000 }, min: 1, unit: 'ms', live: 'kosReadTimeoutMs', kos: 'readTimeoutMs', description: 'KOS read timeout (ms)', source: SCHEMA },
  { key: 'kos.retry.max.attempts', type: 'INTEGER', seed: { systemConfig: 'kosRetryMaxAttempts', default: 3 }, min: 0, unit: 'retries', live: 'kosRetryMaxAttempts', kos: 'maxRetries', description: 'KOS maximum retries after the first try', source: `${SCHEMA} ("KOS 최대 재시도 횟수")` },
  { key: 'kos.retry.delay.ms', type: 'INTEGER', seed: { systemConfig: 'kosRetryDelayMs', default: 1_000 }, min: 0, unit: 'ms', live: 'kosRetryDelayMs', kos: 'retryDelayMs', description: 'KOS retry delay (ms; doubles per retry)', source: SCHEMA },
  { key: 'circuit.breaker.failure.threshold', type: 'INTEGER', seed: { systemConfig: 'circuitFailureThreshold', default: 5 }, min: 1, unit: 'calls', live: 'failureThreshold', kos: 'failureThreshold', description: 'Circuit breaker failure threshold', source: SCHEMA },
  { key: 'circuit.breaker.recovery.timeout.ms', type: 'INTEGER', seed: { systemConfig: 'circuitRecoveryTimeoutMs', default: 60_000 }, min: 1, unit: 'ms', live: 'recoveryTimeoutMs', kos: 'recoveryTimeoutMs', description: 'Circuit breaker recovery wait before a trial call (ms)', source: SCHEMA },
  { key: 'circuit.breaker.success.threshold', type: 'INTEGER', seed: { systemConfig: 'circuitSuccessThreshold', default: 3 }, min: 1, unit: 'calls', live: 'successThreshold', kos: 'successThreshold', description: 'Circuit breaker trial successes that close it', source: SCHEMA },
  { key: 'mvno.connection.timeout.ms', type: 'INTEGER', seed: { systemConfig: 'mvnoConnectTimeoutMs', default: 10_000 }, min: 1, unit: 'ms', description: 'MVNO connection timeout (ms)', source: SCHEMA },
  { key: 'bill.history.retention.days', type: 'INTEGER', seed: { from: 'billHistoryDays' }, min: 1, unit: 'days', description: 'Bill inquiry history retention (days)', source: `${SCHEMA}; kept by dropping partitions (db maintain)` },
  { key: 'kos.history.retention.days', type: 'INTEGER', seed: { from: 'kosHistoryDays' }, min: 1, unit: 'days', description: 'KOS inquiry history retention (days)', source: `${SCHEMA}; kept by dropping partitions (db maintain)` },
] as const satisfies readonly SettingDef[];

type Row = (typeof SYSTEM_CONFIG)[number];

/** The systemConfig section's keys (the seeds this table owns). */
export type SeedName = Extract<Row['seed'], { systemConfig: string }>['systemConfig'];
export type SystemConfigSeeds = Record<SeedName, number>;

/** The thresholds the service takes from the live system_config table. */
export type LiveSettings = Record<Extract<Row, { live: string }>['live'], number>;
export type LiveName = keyof LiveSettings;

/** The KOS client settings fed from the live table (the rest of KosClientSettings comes from the service config). */
export type KosLiveSettings = Record<Extract<Row, { kos: string }>['kos'], number>;

export type SystemConfigRow = {
  key: string;
  value: string;
  type: SettingDef['type'];
  description: string;
};

/** The rows `db apply` seeds and `db verify` expects; retention comes from the database section so it has one source. */
export function systemConfigRows(
  seeds: Readonly<SystemConfigSeeds>,
  retention: Readonly<Record<RetentionKey, number>>,
): SystemConfigRow[] {
  return SYSTEM_CONFIG.map((d) => ({
    key: d.key,
    value: String('systemConfig' in d.seed ? seeds[d.seed.systemConfig] : retention[d.seed.from]),
    type: d.type,
    description: d.description,
  }));
}

/** The live settings as the seeds give them: what applies until the table has been read. */
export function seedLiveSettings(seeds: Readonly<SystemConfigSeeds>): LiveSettings {
  const out = {} as LiveSettings;
  for (const d of SYSTEM_CONFIG)
    if ('live' in d && 'systemConfig' in d.seed) out[d.live] = seeds[d.seed.systemConfig] * liveScale(d);
  return out;
}

/**
 * Applies one live row to `s`: true when the key feeds a live field and the
 * value is a number the setting accepts; anything else is left as it was.
 */
export function applyLiveRow(s: LiveSettings, key: string, raw: string): boolean {
  const d = BY_KEY.get(key);
  const n = Number(raw);
  if (!d || !('live' in d) || raw.trim() === '' || !Number.isFinite(n) || n < d.min) return false;
  s[d.live] = n * liveScale(d);
  return true;
}

/** The KOS client's share of the live settings. */
export function kosLiveSettings(s: Readonly<LiveSettings>): KosLiveSettings {
  const out = {} as KosLiveSettings;
  for (const d of SYSTEM_CONFIG) if ('kos' in d) out[d.kos] = s[d.live];
  return out;
}

const liveScale = (d: Row): number => ('scale' in d ? d.scale : 1);
const BY_KEY = new Map<string, Row>(SYSTEM_CONFIG.map((d) => [d.key, d]));
