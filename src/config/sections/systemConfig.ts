import { z } from 'zod';

/**
 * Seed values of the `system_config` table (data design). The service reads the
 * live table, so operators change these at run time; this is only the seed.
 */
export const systemConfigSection = z.object({
  billCacheTtlHours: z.number().int().positive().default(4),
  customerCacheTtlHours: z.number().int().positive().default(1),
  inquiryAvailableMonths: z.number().int().positive().default(24),
  kosConnectTimeoutMs: z.number().int().positive().default(30_000),
  kosReadTimeoutMs: z.number().int().positive().default(60_000),
  kosRetryAttempts: z.number().int().min(0).default(3),
  kosRetryDelayMs: z.number().int().min(0).default(1_000),
  circuitFailureThreshold: z.number().int().positive().default(5),
  circuitRecoveryTimeoutMs: z.number().int().positive().default(60_000),
  circuitSuccessThreshold: z.number().int().positive().default(3),
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
    int('customer.cache.ttl.hours', s.customerCacheTtlHours, 'Customer info cache TTL (hours)'),
    int('bill.inquiry.available.months', s.inquiryAvailableMonths, 'Months a customer can query'),
    int('kos.connect.timeout.ms', s.kosConnectTimeoutMs, 'KOS connect timeout (ms)'),
    int('kos.read.timeout.ms', s.kosReadTimeoutMs, 'KOS read timeout (ms)'),
    int('kos.retry.attempts', s.kosRetryAttempts, 'KOS retry attempts'),
    int('kos.retry.delay.ms', s.kosRetryDelayMs, 'KOS retry base delay (ms)'),
    int('kos.circuit.failure.threshold', s.circuitFailureThreshold, 'Failures that open the KOS circuit breaker'),
    int(
      'kos.circuit.recovery.timeout.ms',
      s.circuitRecoveryTimeoutMs,
      'Open breaker waits this long before a trial call (ms)',
    ),
    int('kos.circuit.success.threshold', s.circuitSuccessThreshold, 'Trial successes that close the breaker'),
    int('mvno.connect.timeout.ms', s.mvnoConnectTimeoutMs, 'MVNO connect timeout (ms)'),
    int('bill.history.retention.days', retention.billHistoryDays, 'Bill inquiry history retention (days)'),
    int('kos.history.retention.days', retention.kosHistoryDays, 'KOS inquiry history retention (days)'),
  ];
}
