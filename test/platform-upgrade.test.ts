import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { clientConfig } from '../src/db/connection.js';
import { createLogger } from '../src/log.js';
import { applyDatabase } from '../src/platform/apply.js';
import { verifyDatabase } from '../src/platform/verify/index.js';
import { LiveConfig } from '../src/service/config/liveSettings.js';
import { startTempCluster } from './helpers/tempCluster.js';

/** The keys the previous version seeded, and what phonebill's schema script calls them. */
const RENAMED: Record<string, string> = {
  'customer.cache.ttl.hours': 'bill.customer.cache.ttl.hours',
  'kos.connect.timeout.ms': 'kos.connection.timeout.ms',
  'kos.retry.attempts': 'kos.retry.max.attempts',
  'kos.circuit.failure.threshold': 'circuit.breaker.failure.threshold',
  'kos.circuit.recovery.timeout.ms': 'circuit.breaker.recovery.timeout.ms',
  'kos.circuit.success.threshold': 'circuit.breaker.success.threshold',
  'mvno.connect.timeout.ms': 'mvno.connection.timeout.ms',
};

test('upgrading a database of the previous version: system_config keys renamed in place, values and is_active kept', async () => {
  const c = await startTempCluster();
  const sql = <R extends Record<string, unknown>>(text: string, params: unknown[] = []) =>
    c.primary.query<R>(text, params, c.cfg.database.name);

  // The previous version: its only migration, and its seed under the old key names.
  await applyDatabase(c.cfg, c.primary.target(), { migrateUpTo: '1764000000000_schema' });
  for (const [old, renamed] of Object.entries(RENAMED))
    await sql('UPDATE system_config SET config_key = $1 WHERE config_key = $2', [old, renamed]);
  // An operator's values under the old names; one switched off.
  await sql(`UPDATE system_config SET config_value = '5' WHERE config_key = 'kos.retry.attempts'`);
  await sql(`UPDATE system_config SET config_value = '2' WHERE config_key = 'customer.cache.ttl.hours'`);
  await sql(
    `UPDATE system_config SET config_value = '9', is_active = false WHERE config_key = 'kos.circuit.failure.threshold'`,
  );
  await sql(`UPDATE system_config SET config_value = '777' WHERE config_key = 'mvno.connect.timeout.ms'`);
  // …and one already added by hand under its new name, as phonebill's runbook says: that one wins.
  await sql(
    `INSERT INTO system_config (config_key, config_value, config_type) VALUES ('mvno.connection.timeout.ms', '12345', 'INTEGER')`,
  );
  const before = await sql<{ n: string }>('SELECT count(*) AS n FROM system_config');

  const upgrade = await applyDatabase(c.cfg, c.primary.target());
  assert.deepEqual(
    upgrade.changes
      .filter((ch) => ch.id.startsWith('migration:') || ch.id.startsWith('system_config'))
      .map((ch) => ch.id),
    [
      'migration:1795900000000_phonebill_schema_names',
      'migration:1796000000000_kos_call_key',
      'migration:1797000000000_uuid_v7_time_inlinable',
      'migration:1798000000000_history_page_index',
    ],
    'the migrations rename and add the KOS call key; nothing needs seeding again',
  );
  const rows = await sql<{ config_key: string; config_value: string; is_active: boolean }>(
    'SELECT config_key, config_value, is_active FROM system_config ORDER BY config_key',
  );
  assert.equal(rows.length, Number(before[0]!.n) - 1, 'the superseded old row is gone, nothing else');
  assert.deepEqual(
    rows.filter((r) => r.config_key in RENAMED),
    [],
    'no old key is left',
  );
  const get = (k: string) => rows.find((r) => r.config_key === k);
  assert.deepEqual(get('kos.retry.max.attempts'), {
    config_key: 'kos.retry.max.attempts',
    config_value: '5',
    is_active: true,
  });
  assert.equal(get('bill.customer.cache.ttl.hours')?.config_value, '2');
  assert.deepEqual(get('circuit.breaker.failure.threshold'), {
    config_key: 'circuit.breaker.failure.threshold',
    config_value: '9',
    is_active: false,
  });
  assert.equal(get('mvno.connection.timeout.ms')?.config_value, '12345');
  assert.equal(get('kos.connection.timeout.ms')?.config_value, '30000');

  // The service reads the new names: the operator's values apply, the inactive one falls back to the seed.
  const client = new pg.Client(clientConfig(c.primary.target(c.cfg.database.name)));
  await client.connect();
  try {
    const live = new LiveConfig(c.cfg, createLogger({ name: 'upgrade-test' }));
    await live.onConnect(client);
    assert.equal(live.settings.kosRetryMaxAttempts, 5);
    assert.equal(live.settings.customerCacheTtlMs, 2 * 3_600_000);
    assert.equal(live.settings.failureThreshold, c.cfg.systemConfig.circuitFailureThreshold);
  } finally {
    await client.end();
  }

  // What the upgrade brought, as db verify checks it.
  const verify = await verifyDatabase(c.cfg, c.primary.target());
  const schema = verify.checks.filter((ch) => ch.id.startsWith('schema.'));
  for (const id of [
    'schema.index.idx_cache_line_month',
    'schema.index.idx_kos_history_request_time',
    'schema.index.idx_config_active',
    'schema.index.idx_config_type',
    'schema.default.customer_info.status',
    'schema.default.bill_inquiry_history.status',
    'schema.comments.bill_inquiry_history',
    'schema.comments.system_config',
    'schema.system_config.active',
  ])
    assert.ok(
      schema.some((ch) => ch.id === id),
      `${id} is checked`,
    );
  const failed = schema.filter((ch) => !ch.ok && ch.id !== 'schema.system_config.active');
  assert.deepEqual(failed, [], 'every schema check passes after the upgrade');
  const active = schema.find((ch) => ch.id === 'schema.system_config.active')!;
  assert.equal(active.ok, false, 'the key the operator switched off is reported');
  assert.match(active.detail, /circuit\.breaker\.failure\.threshold/);

  // A missing comment is caught.
  await sql('COMMENT ON COLUMN bill_info_cache.access_count IS NULL');
  const again = await verifyDatabase(c.cfg, c.primary.target());
  const comments = again.checks.find((ch) => ch.id === 'schema.comments.bill_info_cache')!;
  assert.deepEqual([comments.ok, comments.detail], [false, 'no COMMENT ON access_count']);
});
