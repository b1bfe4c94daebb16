import { z } from 'zod';

/**
 * Seed values of the `system_config` table (data design). The service reads the
 * live table, so operators change these at run time; this is only the seed.
 * Keys are named as phonebill's schema script (bill-inquiry-schema.psql) names
 * them, so its runbooks apply; migration 1795900000000 renamed our old ones.
 */
export const systemConfigSection = z.object({
  /** `bill.cache.ttl.hours`. */
  billCacheTtlHours: z.number().int().positive().default(4),
  /** `bill.customer.cache.ttl.hours`. */
  customerCacheTtlHours: z.number().int().positive().default(1),
  /** `bill.inquiry.available.months`. */
  inquiryAvailableMonths: z.number().int().positive().default(24),
  /** `kos.connection.timeout.ms`. */
  kosConnectTimeoutMs: z.number().int().positive().default(30_000),
  /** `kos.read.timeout.ms`. */
  kosReadTimeoutMs: z.number().int().positive().default(60_000),
  /** `kos.retry.max.attempts`: retries after the first try ("KOS 최대 재시도 횟수" in the schema script). */
  kosRetryAttempts: z.number().int().min(0).default(3),
  /** `kos.retry.delay.ms`. */
  kosRetryDelayMs: z.number().int().min(0).default(1_000),
  /** `circuit.breaker.failure.threshold`. */
  circuitFailureThreshold: z.number().int().positive().default(5),
  /** `circuit.breaker.recovery.timeout.ms`. */
  circuitRecoveryTimeoutMs: z.number().int().positive().default(60_000),
  /** `circuit.breaker.success.threshold`. */
  circuitSuccessThreshold: z.number().int().positive().default(3),
  /** `mvno.connection.timeout.ms`. */
  mvnoConnectTimeoutMs: z.number().int().positive().default(10_000),
});
export type SystemConfigSeeds = z.infer<typeof systemConfigSection>;

export type SystemConfigRow = {
  key: string;
  value: string;
  type: 'STRING' | 'INTEGER' | 'BOOLEAN' | 'JSON';
  description: string;
};

/** The rows `db apply` seeds; retention comes from the database section so it has one source. */
export function systemConfigRows(
  s: SystemConfigSeeds,
  retention: { billHistoryDays: number; kosHistoryDays: number },
): SystemConfigRow[] {
  const int = (key: string, value: number, description: string): SystemConfigRow => ({
    key,
    value: String(value),
    type: 'INTEGER',
    description,
  });
  return [
    int('bill.cache.ttl.hours', s.billCacheTtlHours, 'Bill info cache TTL (hours)'),
    int('bill.customer.cache.ttl.hours', s.customerCacheTtlHours, 'Customer info cache TTL (hours)'),
    int('bill.inquiry.available.months', s.inquiryAvailableMonths, 'Months a customer can query'),
    int('kos.connection.timeout.ms', s.kosConnectTimeoutMs, 'KOS connection timeout (ms)'),
    int('kos.read.timeout.ms', s.kosReadTimeoutMs, 'KOS read timeout (ms)'),
    int('kos.retry.max.attempts', s.kosRetryAttempts, 'KOS maximum retries after the first try'),
    int('kos.retry.delay.ms', s.kosRetryDelayMs, 'KOS retry delay (ms; doubles per retry)'),
    int('circuit.breaker.failure.threshold', s.circuitFailureThreshold, 'Circuit breaker failure threshold'),
    int(
      'circuit.breaker.recovery.timeout.ms',
      s.circuitRecoveryTimeoutMs,
      'Circuit breaker recovery wait before a trial call (ms)',
    ),
    int(
      'circuit.breaker.success.threshold',
      s.circuitSuccessThreshold,
      'Circuit breaker trial successes that close it',
    ),
    int('mvno.connection.timeout.ms', s.mvnoConnectTimeoutMs, 'MVNO connection timeout (ms)'),
    int('bill.history.retention.days', retention.billHistoryDays, 'Bill inquiry history retention (days)'),
    int('kos.history.retention.days', retention.kosHistoryDays, 'KOS inquiry history retention (days)'),
  ];
}
