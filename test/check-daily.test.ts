import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureStanza, prepareArchiving } from '../src/backup/stanza.js';
import { runBackup } from '../src/backup/run.js';
import { loadConfig } from '../src/config/load.js';
import { applyDatabase } from '../src/platform/apply.js';
import { evaluateAlerts } from '../src/monitor/alerts/evaluate.js';
import type { ChecklistResult } from '../src/monitor/checklists/item.js';
import { collectSnapshot } from '../src/monitor/snapshot.js';
import { cli, json } from './helpers/cli.js';
import { startTempCluster } from './helpers/tempCluster.js';

// CPU is judged against a limit no busy test machine reaches: other test files share these cores.
const { cfg, primary } = await startTempCluster({
  overrides: { monitor: { alerts: { cpuPercent: { threshold: 101 } } } },
});
await applyDatabase(cfg, primary.target());
const env = { BILL_INQUIRY__MONITOR__ALERTS__CPU_PERCENT__THRESHOLD: '101' };
const daily = async () => {
  const r = await cli(['--data-dir', cfg.dataDir, '--json', 'check', 'daily'], { env });
  return { code: r.code, result: json<ChecklistResult>(r), stderr: r.stderr };
};
const item = (r: ChecklistResult, id: string) => r.items.find((i) => i.id === id)!;

/** The same snapshot judged with a backup-age limit of a few seconds. */
const withMaxBackupAge = (seconds: number) =>
  loadConfig({
    env: {},
    overrides: {
      ...structuredClone(cfg),
      monitor: {
        ...structuredClone(cfg.monitor),
        alerts: {
          ...structuredClone(cfg.monitor.alerts),
          backupAgeH: { ...cfg.monitor.alerts.backupAgeH, threshold: seconds / 3600 },
        },
      },
    },
  });

describe('backups: age alert and the daily checklist', () => {
  test('no backup system: an explicit warning, not a crash and not an alert', async () => {
    const r = await daily();
    assert.equal(item(r.result, 'backup').status, 'warn');
    assert.match(item(r.result, 'backup').detail, /no backups configured/);
    const a = evaluateAlerts(cfg, await collectSnapshot(cfg)).find((x) => x.name === 'backupAgeH')!;
    assert.equal(a.firing, false);
  });

  test('backup age: fires with no successful backup, clears after one, fires again once it is older than the limit', async () => {
    // Set up pgBackRest as `cluster up` does: config first, a restart for archive_mode, then the stanza.
    assert.equal(await prepareArchiving(cfg), true, 'pgBackRest is installed');
    await primary.stop();
    await primary.start();
    await ensureStanza(cfg);
    const before = evaluateAlerts(cfg, await collectSnapshot(cfg)).find((x) => x.name === 'backupAgeH')!;
    assert.equal(before.firing, true, before.detail);
    assert.match(before.detail, /no successful backup/);
    assert.equal(item((await daily()).result, 'backup').status, 'fail');

    await runBackup(cfg, 'full', 1);
    const tiny = withMaxBackupAge(8);
    const fresh = await collectSnapshot(cfg);
    assert.ok(fresh.backup.ageHours! * 3600 < 8, `backup is ${fresh.backup.ageHours! * 3600} s old`);
    assert.equal(evaluateAlerts(tiny, fresh).find((x) => x.name === 'backupAgeH')!.firing, false);
    assert.equal(evaluateAlerts(cfg, fresh).find((x) => x.name === 'backupAgeH')!.firing, false);

    await sleep(Math.max(0, (8 - fresh.backup.ageHours! * 3600) * 1000 + 1000));
    const aged = evaluateAlerts(tiny, await collectSnapshot(cfg)).find((x) => x.name === 'backupAgeH')!;
    assert.equal(aged.firing, true, aged.detail);
    assert.match(aged.detail, /last successful backup .* h ago/);
  });

  test('WAL archiving: a failing archive_command fires, a working one clears', async () => {
    const archiving = async () =>
      evaluateAlerts(cfg, await collectSnapshot(cfg)).find((x) => x.name === 'walArchiveFailures')!;
    const until = async (firing: boolean) => {
      for (let i = 0; i < 60; i++) {
        const a = await archiving();
        if (a.firing === firing) return a;
        await sleep(500);
      }
      return archiving();
    };
    const switchWal = () =>
      primary.query(
        'CREATE TABLE IF NOT EXISTS wal_probe (x int); INSERT INTO wal_probe VALUES (1); SELECT pg_switch_wal()',
        [],
        cfg.database.name,
      );
    assert.equal((await archiving()).firing, false);
    await primary.query(`ALTER SYSTEM SET archive_command = '/bin/false'`);
    await primary.query('SELECT pg_reload_conf()');
    try {
      await switchWal();
      const failing = await until(true);
      assert.equal(failing.firing, true, failing.detail);
      assert.match(failing.detail, /last failure [0-9A-F]{24}/);
    } finally {
      await primary.query('ALTER SYSTEM RESET archive_command');
      await primary.query('SELECT pg_reload_conf()');
    }
    await switchWal();
    const cleared = await until(false);
    assert.equal(cleared.firing, false, cleared.detail);
  });

  test('check daily --json on the healthy cluster passes every item that is not a warning', async () => {
    const { code, result, stderr } = await daily();
    assert.equal(code, 0, `${stderr}\n${JSON.stringify(result.items, null, 1)}`);
    assert.equal(result.ok, true);
    assert.deepEqual(
      result.items.map((i) => i.id),
      ['server', 'usage', 'backup', 'slow-queries', 'error-log', 'connections', 'connection-budget'],
    );
    // 3 instances fit; the autoscaler's 15 would not: (15 × 16 + 10 = 250) > 200 − 3.
    assert.equal(item(result, 'connection-budget').status, 'warn');
    assert.match(item(result, 'connection-budget').detail, /at 15 \(pool.maxInstances\): 250 > 197/);
    assert.match(item(result, 'connection-budget').action!, /PgBouncer/);
    for (const id of ['server', 'usage', 'backup', 'slow-queries'])
      assert.equal(item(result, id).status, 'pass', `${id}: ${item(result, id).detail}`);
    assert.notEqual(item(result, 'error-log').status, 'fail');
  });

  test('check daily --markdown renders the plan items as a table', async () => {
    const r = await cli(['--data-dir', cfg.dataDir, 'check', 'daily', '--markdown'], { env });
    assert.match(r.stdout, /\| ✅ \| 서버 상태 및 가용성 확인 — server status and availability \|/);
  });

  test('check daily on a broken cluster (primary stopped) exits 1 and names the broken item', async () => {
    await primary.stop();
    try {
      const { code, result } = await daily();
      assert.equal(code, 1);
      assert.equal(result.ok, false);
      const server = item(result, 'server');
      assert.equal(server.status, 'fail');
      assert.match(server.detail, /primary .*DOWN/);
      assert.match(server.action!, /failover/);
    } finally {
      await primary.start();
    }
  });
});
