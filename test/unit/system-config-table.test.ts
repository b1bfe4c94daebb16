import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { systemConfigSection } from '../../src/config/sections/systemConfig.js';
import {
  applyLiveRow,
  kosLiveSettings,
  seedLiveSettings,
  SYSTEM_CONFIG,
  systemConfigRows,
} from '../../src/config/systemConfigTable.js';
import type { KosClientSettings } from '../../src/kos/client/kosClient.js';

// Issue 20: one table of the system_config settings; every list below is derived from it.
const cfg = loadConfig({ env: {}, file: undefined });
const H = 3_600_000;

test('seed rows: the schema script’s 13 keys and values (phonebill-design-facts.md §5), INTEGER, each described', () => {
  const rows = systemConfigRows(cfg.systemConfig, cfg.database.retention);
  assert.deepEqual(Object.fromEntries(rows.map((r) => [r.key, r.value])), {
    'bill.cache.ttl.hours': '4',
    'bill.customer.cache.ttl.hours': '1',
    'bill.inquiry.available.months': '24',
    'kos.connection.timeout.ms': '30000',
    'kos.read.timeout.ms': '60000',
    'kos.retry.max.attempts': '3',
    'kos.retry.delay.ms': '1000',
    'circuit.breaker.failure.threshold': '5',
    'circuit.breaker.recovery.timeout.ms': '60000',
    'circuit.breaker.success.threshold': '3',
    'mvno.connection.timeout.ms': '10000',
    'bill.history.retention.days': '730',
    'kos.history.retention.days': '365',
  });
  assert.ok(rows.every((r) => r.type === 'INTEGER' && r.description.length > 10));
  // Retention has one source: the database section.
  const shorter = systemConfigRows(cfg.systemConfig, { billHistoryDays: 400, kosHistoryDays: 100 });
  assert.equal(shorter.find((r) => r.key === 'kos.history.retention.days')!.value, '100');
});

test('the systemConfig config section: one key per seeded row, its default the row’s, its bound the row’s', () => {
  const seeded = SYSTEM_CONFIG.flatMap((d) =>
    'systemConfig' in d.seed ? [{ key: d.key, min: d.min, ...d.seed }] : [],
  );
  assert.deepEqual(Object.keys(systemConfigSection.shape).sort(), seeded.map((d) => d.systemConfig).sort());
  for (const d of seeded) {
    assert.equal(cfg.systemConfig[d.systemConfig], d.default, d.key);
    assert.equal(systemConfigSection.safeParse({ [d.systemConfig]: d.min - 1 }).success, false, `${d.key} min`);
  }
  assert.equal(new Set(SYSTEM_CONFIG.map((d) => d.key)).size, SYSTEM_CONFIG.length, 'keys are unique');
});

test('live settings: the seeds in the service’s units, and each live row read into its field', () => {
  const seeds = seedLiveSettings(cfg.systemConfig);
  assert.deepEqual(seeds, {
    billCacheTtlMs: 4 * H,
    customerCacheTtlMs: 1 * H,
    availableMonths: 24,
    kosConnectTimeoutMs: 30_000,
    kosReadTimeoutMs: 60_000,
    kosRetryMaxAttempts: 3,
    kosRetryDelayMs: 1_000,
    failureThreshold: 5,
    recoveryTimeoutMs: 60_000,
    successThreshold: 3,
  });
  const live = structuredClone(seeds);
  assert.equal(applyLiveRow(live, 'bill.customer.cache.ttl.hours', '2'), true);
  assert.equal(applyLiveRow(live, 'kos.retry.max.attempts', '0'), true);
  assert.equal(applyLiveRow(live, 'circuit.breaker.failure.threshold', '1'), true);
  assert.deepEqual(live, { ...seeds, customerCacheTtlMs: 2 * H, kosRetryMaxAttempts: 0, failureThreshold: 1 });
  // Not read into anything: keys no service reads, unknown keys, non-numbers, values below the row's minimum.
  for (const [key, value] of [
    ['mvno.connection.timeout.ms', '5'],
    ['bill.history.retention.days', '5'],
    ['no.such.key', '5'],
    ['kos.read.timeout.ms', 'soon'],
    ['kos.read.timeout.ms', ''],
    ['bill.cache.ttl.hours', '0'],
    ['kos.retry.delay.ms', '-1'],
  ] as const)
    assert.equal(applyLiveRow(live, key, value), false, `${key}=${value}`);
  assert.deepEqual(live, { ...seeds, customerCacheTtlMs: 2 * H, kosRetryMaxAttempts: 0, failureThreshold: 1 });
});

test('KOS settings: every KosClientSettings field but the config’s breaker window comes from the live table', () => {
  const kos = kosLiveSettings(seedLiveSettings(cfg.systemConfig));
  const full: KosClientSettings = { windowMs: 1, ...kos };
  assert.deepEqual(kos, {
    connectTimeoutMs: 30_000,
    readTimeoutMs: 60_000,
    maxRetries: 3,
    retryDelayMs: 1_000,
    failureThreshold: 5,
    recoveryTimeoutMs: 60_000,
    successThreshold: 3,
  });
  assert.deepEqual(Object.keys(full).sort(), ['windowMs', ...Object.keys(kos)].sort());
});
