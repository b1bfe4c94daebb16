import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { freePort } from '../src/system/freePort.js';
import { cli } from './helpers/cli.js';
import { logFiles, secretsInLogs, storedSecrets } from './helpers/secrets.js';
import { tempDataDir } from './helpers/tempCluster.js';

test('plain topology with a replica: no secret of the secret store reaches any server log (log_statement=all)', async () => {
  const dataDir = tempDataDir();
  const env = { BILL_INQUIRY__SERVER__MEMORY_MB: '1024', BILL_INQUIRY_ADMIN_URL: '' };
  const ports = ['--port', String(await freePort()), '--replica-port', String(await freePort())];
  const up = await cli(['--data-dir', dataDir, 'cluster', 'up', '--replica', ...ports], { env });
  try {
    assert.equal(up.code, 0, up.stderr);
    for (const args of [
      ['db', 'apply'],
      ['db', 'verify'],
      ['db', 'credentials'],
    ]) {
      const r = await cli(['--data-dir', dataDir, ...args], { env });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}${r.stdout}`);
    }
  } finally {
    assert.equal((await cli(['--data-dir', dataDir, 'cluster', 'down'], { env })).code, 0);
  }
  const secrets = storedSecrets(dataDir);
  assert.ok(secrets.has('bill-replicator') && secrets.has('postgres-superuser') && secrets.has('bill_app_user'));
  const logs = logFiles(dataDir);
  assert.ok(logs.some((f) => f.includes('/pg/replica/')) && logs.some((f) => f.includes('/pg/primary/data/log/')));
  assert.ok(
    logs.some((f) => /ALTER ROLE bill_replicator PASSWORD 'SCRAM-SHA-256\$/.test(readText(f))),
    'the verifier is what the log shows',
  );
  assert.deepEqual(secretsInLogs(dataDir), []);
});

const readText = (f: string) => readFileSync(f, 'utf8');
