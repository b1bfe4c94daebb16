import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { azureServerParameters } from '../src/azure/serverParameters.js';
import { loadConfig } from '../src/config/load.js';
import { cli } from './helpers/cli.js';
import { tempDataDir } from './helpers/tempCluster.js';

const cfg = loadConfig({ env: {} });

test('Azure parameters are the plan §5.1 figures in Azure units on the 16 GB D4s_v3', () => {
  const p = Object.fromEntries(azureServerParameters(cfg));
  assert.equal(p.shared_buffers, String((4 * 1024 * 1024) / 8), 'shared_buffers 4GB in 8 kB pages');
  assert.equal(p.effective_cache_size, String((12 * 1024 * 1024) / 8));
  assert.equal(p.work_mem, String(64 * 1024), 'work_mem 64MB in kB');
  assert.equal(p.maintenance_work_mem, String(1024 * 1024));
  assert.equal(p.max_wal_size, '4096');
  assert.equal(p.min_wal_size, '1024');
  assert.equal(p.max_connections, '200');
  assert.equal(p.log_statement, 'all');
  assert.equal(p.log_temp_files, '10240');
  assert.equal(p.require_secure_transport, 'on');
  assert.equal(p.ssl_min_protocol_version, 'TLSv1.2');
  assert.match(p['azure.extensions']!, /UUID-OSSP.*PG_STAT_STATEMENTS.*PG_TRGM/);
});

test('a smaller SKU scales the memory figures instead of copying the 16 GB ones', () => {
  const small = loadConfig({ env: {}, overrides: { azure: { sku: 'Standard_D2s_v3', skuMemoryGb: 8 } } });
  assert.equal(Object.fromEntries(azureServerParameters(small)).shared_buffers, String((2 * 1024 * 1024) / 8));
});

test('the deploy script is valid bash, carries the plan values and no password, and refuses to run without one', async () => {
  const r = await cli(['azure', 'script']);
  assert.equal(r.code, 0, r.stderr);
  const script = r.stdout;
  const file = path.join(tempDataDir(), 'deploy.sh');
  writeFileSync(file, script);
  assert.equal(spawnSync('bash', ['-n', file]).status, 0, 'bash -n accepts the script');
  for (const needle of [
    'phonebill-bill-inquiry-prod-pg',
    'koreacentral',
    'Standard_D4s_v3',
    '--storage-size 256',
    "--high-availability 'ZoneRedundant'",
    "--standby-zone '2'",
    '--backup-retention 35',
    '--geo-redundant-backup Enabled',
    '10.0.2.0/24',
    'koreasouth',
    'Standard_D2s_v3',
    'phonebill-admin',
  ]) {
    assert.ok(script.includes(needle), `script mentions ${needle}`);
  }
  // The admin password only ever comes from the environment, never as a literal (the plan's script hard-codes one).
  assert.match(script, /--admin-password "\$BILL_INQUIRY_AZURE_ADMIN_PASSWORD"/);
  assert.equal(script.match(/--admin-password/g)?.length, 1);
  const env = { PATH: process.env.PATH ?? '' };
  const noPassword = spawnSync('bash', [file], { env, encoding: 'utf8' });
  assert.notEqual(noPassword.status, 0);
  assert.match(noPassword.stderr, /BILL_INQUIRY_AZURE_ADMIN_PASSWORD: set the server admin password/);
  const noAz = spawnSync('/bin/bash', [file], {
    env: { PATH: '/nonexistent', BILL_INQUIRY_AZURE_ADMIN_PASSWORD: 'x', BILL_INQUIRY_AZURE_AAD_ADMIN_OBJECT_ID: 'y' },
    encoding: 'utf8',
  });
  assert.notEqual(noAz.status, 0);
  assert.match(noAz.stderr, /az CLI not found/);
});
