import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { backupPaths } from '../src/backup/paths.js';
import { repoCredentialSecret } from '../src/backup/pgbackrest.js';
import { LocalInstance } from '../src/cluster/local/localCluster.js';
import { ensureTls } from '../src/cluster/local/tls.js';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { freePort } from '../src/system/freePort.js';
import { SecretStore } from '../src/system/secrets.js';
import { startAzurite, type Azurite } from './helpers/azurite.js';
import { cli, json, type CliResult } from './helpers/cli.js';
import { tempDataDir, track } from './helpers/tempCluster.js';

// repo1 on local disk, repo2 in Azure Blob storage (Azurite over HTTPS on loopback, local CA).
const CONTAINER = 'pgbackrest';
const dataDir = tempDataDir('bi-azure-');
const configFile = path.join(dataDir, 'config.json');
const keySecret = repoCredentialSecret(2, 'azure-key');
let az: Azurite | undefined;
let cfg: Readonly<Config>;

const azureRepo = (container: string) => ({
  type: 'azure',
  account: az!.account,
  container,
  endpoint: az!.host,
  port: az!.port,
  uriStyle: 'path',
  caFile: path.join(dataDir, 'tls', 'ca.crt'),
});
const writeConfig = (file: string, container: string) =>
  writeFileSync(file, JSON.stringify({ backup: { repos: [{ type: 'posix' }, azureRepo(container)] } }));
const bi = (args: string[], opts: { env?: NodeJS.ProcessEnv; config?: string } = {}): Promise<CliResult> =>
  cli(['--data-dir', dataDir, '--config', opts.config ?? configFile, ...args], { env: opts.env, timeoutMs: 120_000 });
const failure = (r: CliResult) => json<{ ok: false; error: { code: string; message: string } }>(r).error;

before(async () => {
  az = await startAzurite(await ensureTls(dataDir));
  await az.blobs.getContainerClient(CONTAINER).create();
  new SecretStore(dataDir).put(keySecret, az.key);
  writeConfig(configFile, CONTAINER);
  const up = await bi(['--json', 'cluster', 'up', '--port', String(await freePort())], {
    env: { BILL_INQUIRY__SERVER__MEMORY_MB: '1024' },
  });
  assert.equal(up.code, 0, up.stderr + up.stdout);
  assert.match(
    json<{ walArchiving: string }>(up).walArchiving,
    /^pgBackRest/,
    'stanza-create reached both repositories',
  );
  cfg = loadConfig({ file: configFile, env: {}, overrides: { dataDir } });
  track(new LocalInstance(cfg, 'primary'));
});
after(async () => {
  await bi(['cluster', 'down']);
  await az?.stop();
});

test('backup run writes an encrypted full backup to repo1 (disk) and repo2 (Azure); the blobs are in the container', async () => {
  const run = await bi(['--json', 'backup', 'run', '--type', 'full']);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.deepEqual(
    json<{ repos: Array<{ repo: number }> }>(run).repos.map((r) => r.repo),
    [1, 2],
  );

  const conf = backupPaths(cfg).conf;
  assert.equal(statSync(conf).mode & 0o777, 0o600, 'pgbackrest.conf holds the account key: 0600');
  const text = readFileSync(conf, 'utf8');
  for (const line of [
    'repo2-type=azure',
    `repo2-azure-account=${az!.account}`,
    `repo2-azure-container=${CONTAINER}`,
    'repo2-azure-uri-style=path',
    'repo2-azure-endpoint=localhost',
    `repo2-storage-port=${az!.port}`,
    `repo2-storage-ca-file=${path.join(dataDir, 'tls', 'ca.crt')}`,
    `repo2-azure-key=${az!.key}`,
  ]) {
    assert.ok(text.includes(`${line}\n`), `pgbackrest.conf has ${line.replace(az!.key, '<key>')}`);
  }

  const list = await bi(['--json', 'backup', 'list']);
  assert.equal(list.code, 0, list.stderr);
  const info = json<{
    repos: Array<{ repo: number; cipher: string; lastSuccessfulBackup?: string; walArchive?: { max: string } }>;
    backups: Array<{ repo: number; type: string }>;
  }>(list);
  const repo2 = info.repos.find((r) => r.repo === 2);
  assert.equal(repo2?.cipher, 'aes-256-cbc');
  assert.ok(
    repo2.lastSuccessfulBackup && Date.now() - Date.parse(repo2.lastSuccessfulBackup) < 10 * 60_000,
    'repo2 has a fresh backup',
  );
  assert.ok(repo2.walArchive?.max, 'WAL reaches the Azure repository');
  assert.ok(info.backups.some((b) => b.repo === 2 && b.type === 'full'));

  const container = az!.blobs.getContainerClient(CONTAINER);
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat()) names.push(blob.name);
  const stanza = cfg.backup.stanza;
  assert.ok(
    names.includes(`${stanza}/backup/${stanza}/backup.info`),
    `backup.info is in the container (${names.length} blobs)`,
  );
  assert.ok(
    names.some((n) => n.startsWith(`${stanza}/archive/${stanza}/`) && /\/[0-9A-F]{24}-[0-9a-f]{40}/.test(n)),
    'WAL segments are in the container',
  );
  assert.ok(
    names.some((n) => /\/backup\.manifest$/.test(n)) && names.some((n) => /\/pg_data\//.test(n)),
    'the backup set is in the container',
  );
  const backupInfo = await container.getBlobClient(`${stanza}/backup/${stanza}/backup.info`).downloadToBuffer();
  assert.doesNotMatch(backupInfo.toString('latin1'), /\[backrest\]/, 'no plaintext pgBackRest info in Azure');
  assert.equal(
    backupInfo.subarray(0, 8).toString('latin1'),
    'Salted__',
    'encrypted with the repository passphrase (openssl aes-256-cbc)',
  );
});

test('drill restore: full restore from the Azure repo2 alone (repo1 set aside) brings every row back', async () => {
  const r = await bi(['--json', 'drill', 'restore', '--data-mb', '8']);
  const res = json<{
    ok: boolean;
    rows_match: boolean;
    repo: number;
    restore_s: number;
    mb_per_s: number;
    ratio: number;
  }>(r);
  // ok also needs the throughput ratio: with an 8 MB drill that is start-up noise, so only the outcome is asserted.
  assert.equal(res.rows_match, true, r.stderr + r.stdout);
  assert.equal(res.repo, 2);
  assert.ok(existsSync(backupPaths(cfg).repo(1)), 'repo1 is back in place');
  process.stderr.write(`drill restore from Azurite: ${JSON.stringify(res)}\n`);
});

test('failure paths: invalid repo config, keys not in the secret store, key rejected, container missing', async () => {
  const invalid = await bi(['--json', 'backup', 'list'], {
    env: { BILL_INQUIRY__BACKUP__REPOS: JSON.stringify([{ type: 'posix' }, { type: 'azure', account: 'x' }]) },
  });
  assert.notEqual(invalid.code, 0);
  assert.equal(failure(invalid).code, 'CONFIG_INVALID');
  assert.match(
    failure(invalid).message,
    /repo2 is an azure repository without container: set backup\.repos\[1\]\.container/,
  );

  const s3 = await bi(['--json', 'backup', 'list'], {
    env: {
      BILL_INQUIRY__BACKUP__REPOS: JSON.stringify([
        { type: 'posix' },
        { type: 's3', bucket: 'b', endpoint: 's3.example.com', region: 'r' },
      ]),
    },
  });
  assert.equal(failure(s3).code, 'REPO_CREDENTIALS_MISSING');
  assert.match(
    failure(s3).message,
    /backup repository 2 has no s3 key: secret pgbackrest-repo2-s3-key is not set — .*BILL_INQUIRY_SECRET_PGBACKREST_REPO2_S3_KEY/,
  );

  const store = new SecretStore(dataDir);
  renameSync(store.file(keySecret), `${store.file(keySecret)}.aside`);
  try {
    const missing = await bi(['--json', 'backup', 'list']);
    assert.notEqual(missing.code, 0);
    assert.equal(failure(missing).code, 'REPO_CREDENTIALS_MISSING');
    assert.equal(
      failure(missing).message,
      `backup repository 2 has no azure key: secret ${keySecret} is not set — put it into ${store.file(keySecret)} (mode 0600) or the environment variable BILL_INQUIRY_SECRET_PGBACKREST_REPO2_AZURE_KEY`,
    );
    assert.equal(existsSync(store.file(keySecret)), false, 'no key was made up');
  } finally {
    renameSync(`${store.file(keySecret)}.aside`, store.file(keySecret));
  }

  const wrongKey = await bi(['--json', 'backup', 'run', '--type', 'full', '--repo', '2'], {
    env: { BILL_INQUIRY_SECRET_PGBACKREST_REPO2_AZURE_KEY: randomBytes(64).toString('base64') },
  });
  assert.notEqual(wrongKey.code, 0);
  assert.equal(failure(wrongKey).code, 'REPO_CREDENTIALS_REJECTED', wrongKey.stdout);
  assert.match(
    failure(wrongKey).message,
    /the azure store of backup repository 2 rejected its credentials \(HTTP 403\)/,
  );

  const otherConfig = path.join(dataDir, 'config-missing-container.json');
  writeConfig(otherConfig, 'no-such-container');
  const noContainer = await bi(['--json', 'backup', 'run', '--type', 'full', '--repo', '2'], { config: otherConfig });
  assert.notEqual(noContainer.code, 0);
  assert.equal(failure(noContainer).code, 'AZURE_CONTAINER_MISSING', noContainer.stdout);
  assert.equal(
    failure(noContainer).message,
    `pgBackRest info: Azure container no-such-container does not exist in account ${az!.account} (backup repository 2) — create it (az storage container create --account-name ${az!.account} --name no-such-container --auth-mode login), then retry`,
  );

  const verify = await bi(['--json', 'backup', 'verify'], { config: otherConfig });
  assert.notEqual(verify.code, 0, verify.stdout);
  const detail = json<{ repos: Array<{ repo: number; ok: boolean; detail: string }> }>(verify).repos.find(
    (r) => r.repo === 2,
  );
  assert.equal(detail?.ok, false);
  assert.match(
    detail.detail,
    /No usable backup\.info file/,
    'nothing could be verified in a container that does not exist',
  );

  // Puts the right container and key back into pgbackrest.conf, which archive_command reads.
  const back = await bi(['--json', 'backup', 'list']);
  assert.equal(back.code, 0, back.stderr + back.stdout);
  assert.ok(
    json<{ repos: Array<{ repo: number; backups: number }> }>(back).repos.find((r) => r.repo === 2)!.backups >= 1,
  );
});
