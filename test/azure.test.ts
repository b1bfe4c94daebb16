import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { PASSWORD_FILE } from '../src/azure/deployPlan.js';
import { azureServerParameters } from '../src/azure/serverParameters.js';
import { loadConfig } from '../src/config/load.js';
import { cli, json } from './helpers/cli.js';
import { tempDataDir } from './helpers/tempCluster.js';

const cfg = loadConfig({ env: {} });
const ADMIN_OID = '3f1c2a9e-8d4b-4c1e-9a2f-5b6c7d8e9f01';

/** A config file naming the Entra admin's object id (what a real user sets once) and a temp data dir. */
function configFile(extra: Record<string, unknown> = {}): { file: string; dataDir: string } {
  const dataDir = tempDataDir();
  const file = path.join(dataDir, 'config.json');
  writeFileSync(file, JSON.stringify({ dataDir, azure: { aadAdminObjectId: ADMIN_OID, ...extra } }));
  return { file, dataDir };
}

/** az with nothing of this machine: a fresh config dir (no login), no telemetry, no colour. */
const azConfigDir = mkdtempSync(path.join(os.tmpdir(), 'bi-test-az-'));
after(() => rmSync(azConfigDir, { recursive: true, force: true }));
const AZ_ENV = {
  ...process.env,
  AZURE_CONFIG_DIR: azConfigDir,
  AZURE_CORE_COLLECT_TELEMETRY: 'false',
  AZURE_CORE_NO_COLOR: 'true',
};
const LOGIN_ERROR = "ERROR: Please run 'az login' to setup account.";

/**
 * What az 2.45 says, checked by hand: a command that parses stops at sign-in
 * with exactly LOGIN_ERROR (exit 1); a bad argument exits 2 ("unrecognized
 * arguments", "the following arguments are required", "invalid choice"), a
 * missing one of a group says "(--name | --ids) are required" (exit 1), and
 * deployment commands first read the template and parameters ("Failed to
 * parse …", "Missing input parameters: …").
 */
function runAz(line: string): { code: number; stdout: string; stderr: string; loginOnly: boolean } {
  const r = spawnSync('bash', ['-c', line], { env: AZ_ENV, encoding: 'utf8', timeout: 120_000 });
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    loginOnly: r.status === 1 && lines.length === 1 && lines[0] === LOGIN_ERROR,
  };
}

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

test('azure template -o writes the template and its parameters (no password), and says loudly that PostgreSQL 14 is past its end of life', async () => {
  const { file, dataDir } = configFile();
  const out = path.join(dataDir, 'arm');
  const r = await cli(['--config', file, 'azure', 'template', '-o', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const written = json<{ template: string; parameters: string; resources: number }>(r);
  const template = JSON.parse(readFileSync(written.template, 'utf8'));
  assert.equal(template.resources.length, written.resources);
  assert.match(
    r.stderr,
    /warning: PostgreSQL 14 \(the plan's version\) reached the end of community support on 2026-11-12/,
  );
  assert.match(r.stderr, /15, 16, 17, 18/);
  assert.match(template.metadata.notes.join('\n'), /PostgreSQL 14 .* 2026-11-12/);
  const params = readFileSync(written.parameters, 'utf8');
  assert.deepEqual(JSON.parse(params).parameters, {
    administratorLogin: { value: 'postgres' },
    entraAdminObjectId: { value: ADMIN_OID },
  });
  assert.doesNotMatch(params, /Password/, 'the admin password is never in the parameters file');
  assert.equal(statSync(out).mode & 0o777, 0o700);
});

test("every az command line `azure deploy --print` emits parses in Debian's az: each stops at the login error, none at an argument error", async () => {
  const { file, dataDir } = configFile();
  const dir = path.join(dataDir, 'deploy');
  const r = await cli(['--config', file, 'azure', 'deploy', '--print', '-o', dir]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines.length >= 10 && lines.every((l) => l.startsWith('az ')), r.stdout);
  // The password file exists only while `azure deploy` runs; az reads it before it asks for a login.
  writeFileSync(
    path.join(dir, PASSWORD_FILE),
    JSON.stringify({ parameters: { administratorLoginPassword: { value: 'only-for-the-parser' } } }),
    { mode: 0o600 },
  );
  const whatIf = lines.find((l) => l.includes('deployment group what-if'))!;

  // The harness tells the cases apart: a wrong argument, a template az cannot read.
  const control = runAz(`${whatIf} --no-such-flag`);
  assert.equal(control.code, 2);
  assert.ok(!control.loginOnly);
  assert.match(control.stderr, /unrecognized arguments: --no-such-flag/);
  const unreadable = runAz(whatIf.replace(/--parameters @\S+admin-password\S+/, ''));
  assert.ok(!unreadable.loginOnly);
  assert.match(unreadable.stderr, /Missing input parameters: administratorLoginPassword/);

  for (const line of lines) {
    const res = runAz(line);
    if (line.startsWith('az version')) {
      assert.equal(res.code, 0, res.stderr);
      assert.match(JSON.parse(res.stdout)['azure-cli'], /^\d+\.\d+\.\d+$/);
      continue;
    }
    assert.ok(res.loginOnly, `${line}\n→ exit ${res.code}: ${res.stderr.slice(0, 500)}`);
  }
});

test('azure deploy refuses clearly: without the Entra admin id, without az, with an az older than needed, without a login', async () => {
  const noOid = configFile({ aadAdminObjectId: undefined });
  const r1 = await cli(['--config', noOid.file, 'azure', 'deploy']);
  assert.notEqual(r1.code, 0);
  assert.match(r1.stderr, /azure\.aadAdminObjectId is not set.*az ad group show -g phonebill-admin/);

  const { file } = configFile();
  const r2 = await cli(['--config', file, 'azure', 'deploy', '--json'], { env: { PATH: '/nonexistent' } });
  assert.notEqual(r2.code, 0);
  assert.equal(json<{ error: { code: string } }>(r2).error.code, 'AZ_MISSING');

  const old = configFile({ minAzVersion: '99.0.0' });
  const r3 = await cli(['--config', old.file, 'azure', 'deploy'], { env: AZ_ENV });
  assert.notEqual(r3.code, 0);
  assert.match(r3.stderr, /az CLI 2\.\d+\.\d+ is older than 99\.0\.0/);

  const r4 = await cli(['--config', file, 'azure', 'deploy'], { env: AZ_ENV });
  assert.notEqual(r4.code, 0);
  assert.match(r4.stderr, /az is not signed in .*Please run 'az login'.* — run `az login`/);
});

/**
 * The control flow of `azure deploy --yes` (no subscription is reachable from
 * here): a stand-in `az` on PATH answers as Azure would and logs every call;
 * the deployment ends `outcome`. What it proves is ours — the order, the
 * password file's life, the progress and the outputs — not Azure's behaviour,
 * which the parse test above and the SDK-typed template cover.
 */
function fakeAz(dataDir: string, outcome: 'Succeeded' | 'Failed'): { bin: string; log: string } {
  const bin = path.join(dataDir, 'bin');
  const log = path.join(dataDir, 'az.log');
  const polls = path.join(dataDir, 'polls');
  mkdirSync(bin);
  writeFileSync(
    path.join(bin, 'az'),
    `#!/bin/bash
echo "az $*" >> ${log}
case "$1 $2 $3" in
  "version --output json") echo '{"azure-cli": "2.61.0"}' ;;
  "account show --output") echo '{"name": "prod", "id": "sub-1", "user": {"name": "ops@example.com"}}' ;;
  "deployment group what-if")
    pw="\${@: -1}"; pw="\${pw#@}"
    echo "# password file $(stat -c %a "$pw") $(grep -c administratorLoginPassword "$pw")" >> ${log}
    echo "Resource changes: 80 to create." ;;
  "deployment group show")
    if [[ "$*" == *provisioningState* ]]; then
      n=$(cat ${polls} 2>/dev/null || echo 0); echo $((n + 1)) > ${polls}
      if [ "$n" -ge 2 ]; then echo ${outcome}; else echo Running; fi
    else echo '{"serverFqdn": {"type": "String", "value": "phonebill-bill-inquiry-prod-pg.postgres.database.azure.com"}}'; fi ;;
  "deployment operation group")
    echo '[{"state": "Succeeded", "resource": "phonebill-vnet"}, {"state": "${outcome === 'Failed' ? 'Failed' : 'Running'}", "resource": "phonebill-bill-inquiry-prod-pg", "error": "The requested SKU is not available in zone 1"}]' ;;
esac
exit 0
`,
    { mode: 0o755 },
  );
  return { bin, log };
}

test('azure deploy --yes runs exactly the printed lines in order, reports progress, and keeps the password file only while it runs', async () => {
  const { file, dataDir } = configFile({ deployPollSeconds: 0.05, alerts: { emails: ['ops@example.com'] } });
  const dir = path.join(dataDir, 'deploy');
  const { bin, log } = fakeAz(dataDir, 'Succeeded');
  const printed = await cli(['--config', file, 'azure', 'deploy', '--print', '-o', dir]);
  const r = await cli(['--config', file, 'azure', 'deploy', '--yes', '-o', dir], {
    env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
  });
  assert.equal(r.code, 0, r.stderr);
  const calls = readFileSync(log, 'utf8').trim().split('\n');
  assert.ok(calls.includes('# password file 600 1'), 'the what-if read a 0600 file holding the password');
  const ran = calls.filter((c) => c.startsWith('az '));
  // Polling repeats the two progress lines; the sequence is otherwise the printed one.
  const distinct = ran.filter((c, i) => ran.indexOf(c) === i);
  // The printed lines are shell-quoted; bash turns each back into the words az received.
  const words = (line: string) =>
    spawnSync('bash', ['-c', `set -- ${line}; echo "$*"`], { encoding: 'utf8' }).stdout.trim();
  assert.deepEqual(distinct, printed.stdout.trim().split('\n').map(words));
  assert.match(r.stdout, /what-if|Resource changes: 80 to create\./);
  assert.match(r.stderr, /deployment Running: 1 resources done, 0 failed/);
  assert.match(r.stderr, /restart phonebill-bill-inquiry-prod-pg-replica for shared_preload_libraries/);
  assert.match(
    r.stdout,
    /deployed \d+ resources .*\n {2}serverFqdn: phonebill-bill-inquiry-prod-pg\.postgres\.database\.azure\.com/,
  );
  assert.ok(!existsSync(path.join(dir, PASSWORD_FILE)), 'the password file is gone');
  assert.doesNotMatch(
    readFileSync(log, 'utf8'),
    new RegExp(readFileSync(path.join(dataDir, 'secrets', 'azure-admin-password'), 'utf8')),
  );
});

test('azure deploy --yes fails naming the resource Azure refused, and still removes the password file', async () => {
  const { file, dataDir } = configFile({ deployPollSeconds: 0.05 });
  const dir = path.join(dataDir, 'deploy');
  const { bin } = fakeAz(dataDir, 'Failed');
  const r = await cli(['--config', file, 'azure', 'deploy', '--yes', '-o', dir, '--json'], {
    env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
  });
  assert.notEqual(r.code, 0);
  const { error } = json<{ error: { code: string; message: string } }>(r);
  assert.equal(error.code, 'AZ_DEPLOY_FAILED');
  assert.match(
    error.message,
    /ended Failed: phonebill-bill-inquiry-prod-pg: The requested SKU is not available in zone 1/,
  );
  assert.ok(!existsSync(path.join(dir, PASSWORD_FILE)));
});
