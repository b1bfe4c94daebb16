import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureLocalDatabase } from '../src/platform/ensureLocal.js';
import { asLogin } from './helpers/platform.js';
import { testConfig, track } from './helpers/tempCluster.js';

// Module level: the temp dir outlives the servers, which the test stops itself.
const cfg = await testConfig({ backup: { walArchiving: false } });

test('ensureLocalDatabase starts, applies, clones a replica, and is a no-op the second time', async () => {
  const first = await ensureLocalDatabase(cfg, { replica: true });
  track(first.primary);
  if (first.replica) track(first.replica);
  try {
    assert.ok(first.apply.changes.length > 20);
    assert.ok(first.replica, 'replica started');
    const second = await ensureLocalDatabase(cfg, { replica: true });
    assert.deepEqual(second.apply.changes, []);
    // The replica serves the applied schema to the read-only role, read-only.
    await asLogin(cfg, first.replica, 'readonly', async (db) => {
      const { rows } = await db.query<{ n: string; ro: string }>(
        `SELECT count(*) AS n, current_setting('transaction_read_only') AS ro FROM system_config`,
      );
      assert.equal(rows[0]!.n, '13');
      assert.equal(rows[0]!.ro, 'on');
    });
  } finally {
    await first.replica?.stop();
    await first.primary.stop();
  }
});
