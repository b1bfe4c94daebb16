import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { clientConfig } from '../src/db/connection.js';
import { applyDatabase } from '../src/platform/apply.js';
import { roleTarget } from '../src/platform/roleTargets.js';
import { evaluateAlerts, type AlertResult } from '../src/monitor/alerts/evaluate.js';
import { collectSnapshot } from '../src/monitor/snapshot.js';
import { cli, json } from './helpers/cli.js';
import { startTempCluster } from './helpers/tempCluster.js';

// max_connections lowered so that 90 % is cheap to reach; the alert must compute 27 = ceil(0.9 × 30) itself.
const MAX_CONNECTIONS = 30;
const { cfg, primary, replica } = await startTempCluster({
  replica: true,
  overrides: { server: { maxConnections: MAX_CONNECTIONS } },
});
await applyDatabase(cfg, primary.target());

/** Evaluates the alerts as the plan's monitoring role (bill_readonly_user, pg_monitor) sees them. */
async function alert(name: AlertResult['name']): Promise<AlertResult> {
  return evaluateAlerts(cfg, await collectSnapshot(cfg)).find((a) => a.name === name)!;
}

async function until(name: AlertResult['name'], firing: boolean, timeoutMs = 30_000): Promise<AlertResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await alert(name);
    if (a.firing === firing || Date.now() > deadline) return a;
    await sleep(500);
  }
}

describe('alerts fire on real conditions and clear when they end', () => {
  let lastFailedLogin = 0;

  test('failed connections ≥ 10/min: wrong-password logins counted from the server log', async () => {
    assert.equal((await alert('failedConnectionsPerMin')).firing, false);
    const wrong = { ...roleTarget(cfg, 'app', primary.target()), password: 'definitely-wrong' };
    for (let i = 0; i < 10; i++) {
      const c = new pg.Client(clientConfig(wrong));
      await assert.rejects(c.connect(), /password authentication failed/);
    }
    lastFailedLogin = Date.now();
    const a = await until('failedConnectionsPerMin', true, 10_000);
    assert.equal(a.firing, true, a.detail);
    assert.ok(a.value! >= 10, `counted ${a.value}`);
    assert.equal(a.severity, 2);
    assert.match(a.action, /network and security settings/);
  });

  test('connections ≥ 90 % of max_connections as configured on the server', async () => {
    const before = await alert('connectionsPercent');
    assert.equal(before.firing, false, before.detail);
    assert.match(before.detail, new RegExp(`of ${MAX_CONNECTIONS} connections \\(alert at 27\\)`));
    const used = before.value!; // includes the collector's own session
    const clients = Array.from(
      { length: 27 - used },
      () => new pg.Client(clientConfig(primary.target(cfg.database.name))),
    );
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const a = await alert('connectionsPercent');
      assert.equal(a.firing, true, a.detail);
      assert.equal(a.value, 27);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    assert.equal((await until('connectionsPercent', false)).firing, false);
  });

  test('response time ≥ 500 ms: a statement running long (pg_sleep) fires, its end clears', async () => {
    const c = new pg.Client(clientConfig(roleTarget(cfg, 'app', primary.target())));
    await c.connect();
    try {
      const slow = c.query('SELECT pg_sleep(2.5)');
      const a = await until('responseTimeMs', true, 2000);
      assert.equal(a.firing, true, a.detail);
      assert.match(a.detail, /pg_sleep/);
      assert.ok(a.value! >= 500);
      await slow;
      const cleared = await alert('responseTimeMs');
      assert.equal(cleared.firing, false, cleared.detail);
    } finally {
      await c.end();
    }
  });

  test('replication: a stopped replica fires, a restarted one that streams again clears', async () => {
    const healthy = await alert('replicationLagS');
    assert.equal(healthy.firing, false, healthy.detail);
    assert.match(healthy.detail, /1 of 1 replicas streaming/);
    await replica!.stop();
    const down = await alert('replicationLagS');
    assert.equal(down.firing, true, down.detail);
    assert.match(down.detail, /0 of 1 replicas streaming/);
    assert.equal((await alert('instanceDown')).firing, true, 'a stopped member is also "down"');

    const viaCli = await cli(['--data-dir', cfg.dataDir, '--json', 'monitor', 'alerts']);
    assert.equal(viaCli.code, 1, 'monitor alerts exits non-zero while an alert fires');
    assert.ok(json<{ firing: string[] }>(viaCli).firing.includes('replicationLagS'));

    await replica!.start();
    const back = await until('replicationLagS', false);
    assert.equal(back.firing, false, back.detail);
  });

  test('failed connections clear once the minute has passed; monitor alerts then exits 0', async () => {
    await sleep(Math.max(0, lastFailedLogin + 62_000 - Date.now()));
    const a = await alert('failedConnectionsPerMin');
    assert.equal(a.firing, false, a.detail);
    // Host usage depends on the other tests sharing this machine: judged elsewhere.
    const quiet = {
      BILL_INQUIRY__MONITOR__ALERTS__CPU_PERCENT__ENABLED: 'false',
      BILL_INQUIRY__MONITOR__ALERTS__MEMORY_PERCENT__ENABLED: 'false',
      BILL_INQUIRY__MONITOR__ALERTS__DISK_PERCENT__ENABLED: 'false',
    };
    const r = await cli(['--data-dir', cfg.dataDir, '--json', 'monitor', 'alerts'], { env: quiet });
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(json<{ firing: string[] }>(r).firing, []);
  });
});
