import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { BLOB_SAS_SECRET } from '../src/azure/clients/dumpContainer.js';
import { ensureTls } from '../src/cluster/local/tls.js';
import { applyDatabase } from '../src/platform/apply.js';
import { SecretStore } from '../src/system/secrets.js';
import { startAzurite, type Azurite } from './helpers/azurite.js';
import { cli, json, type CliResult } from './helpers/cli.js';
import { startCutProxy } from './helpers/cutProxy.js';
import { startTempCluster, tempDataDir } from './helpers/tempCluster.js';

// §9.1 weekly logical dump streamed to Blob storage: Azurite (the real Blob API) over HTTPS on loopback,
// signed in with a container SAS from the secret store; node trusts the data dir's test CA.
const CONTAINER = 'logical-dumps';
const ROWS = 40_000;
const { cfg, primary } = await startTempCluster();
const tls = await ensureTls(cfg.dataDir);
const downloads = tempDataDir('bi-dump-dl-');
let az: Azurite | undefined;

const env = (accountUrl: string): NodeJS.ProcessEnv => ({
  NODE_EXTRA_CA_CERTS: tls.caCert,
  BILL_INQUIRY__AZURE__LOGICAL_BACKUP__ACCOUNT_URL: accountUrl,
  BILL_INQUIRY__AZURE__LOGICAL_BACKUP__AUTH: 'sas',
  // Several blocks per dump, so a cut connection falls between staged blocks and the commit.
  BILL_INQUIRY__AZURE__LOGICAL_BACKUP__BLOCK_MB: '1',
});
const bi = (args: string[], accountUrl = az!.url): Promise<CliResult> =>
  cli(['--data-dir', cfg.dataDir, '--json', ...args], { env: env(accountUrl), timeoutMs: 300_000 });
const blobNames = async () => {
  const names: string[] = [];
  for await (const b of az!.blobs.getContainerClient(CONTAINER).listBlobsFlat()) names.push(b.name);
  return names.sort();
};
const COUNT =
  "SELECT count(*)::int AS n, md5(string_agg(customer_name, ',' ORDER BY customer_id)) AS h FROM customer_info";

before(async () => {
  await applyDatabase(cfg, primary.target());
  // Incompressible names: the encrypted dump is several MB, several blocks.
  await primary.query(
    `INSERT INTO customer_info (customer_id, line_number, customer_name, status, operator_code, expires_at)
     SELECT 'C' || i, '010-' || lpad(i::text, 8, '0'), md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text), 'ACTIVE', 'KT', now() + interval '1 day'
     FROM generate_series(1, ${ROWS}) i`,
    [],
    cfg.database.name,
  );
  az = await startAzurite(tls);
  await az.blobs.getContainerClient(CONTAINER).create();
  const sas = generateBlobSASQueryParameters(
    {
      containerName: CONTAINER,
      permissions: ContainerSASPermissions.parse('rcwdl'),
      protocol: SASProtocol.Https,
      expiresOn: new Date(Date.now() + 3_600_000),
    },
    new StorageSharedKeyCredential(az.account, az.key),
  ).toString();
  new SecretStore(cfg.dataDir).put(BLOB_SAS_SECRET, sas);
});
after(async () => {
  await az?.stop();
});

test('backup logical --upload: streamed to the container, encrypted, named by date, read back; restored from the uploaded copy with every row', async () => {
  const r = await bi(['backup', 'logical', '--upload']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const up = json<{
    ok: boolean;
    blob: string;
    container: string;
    bytes: number;
    sha256: string;
    verified: { bytes: number; sha256: string };
  }>(r);
  assert.equal(up.ok, true);
  assert.match(up.blob, /^bill_inquiry_db-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.dump\.enc$/);
  assert.equal(up.container, `${az!.url}/${CONTAINER}`);
  assert.ok(!r.stdout.includes('sig='), 'the SAS is never printed');
  assert.ok(up.bytes > 2 * 2 ** 20, `several 1 MiB blocks (${up.bytes} bytes)`);
  assert.deepEqual(up.verified, { bytes: up.bytes, sha256: up.sha256 });

  const blob = az!.blobs.getContainerClient(CONTAINER).getBlockBlobClient(up.blob);
  const props = await blob.getProperties();
  assert.equal(props.contentLength, up.bytes);
  assert.equal(props.metadata?.sha256, up.sha256);
  const blocks = await blob.getBlockList('committed');
  assert.ok((blocks.committedBlocks ?? []).length >= 3, `${blocks.committedBlocks?.length} blocks committed`);

  const file = path.join(downloads, up.blob);
  await blob.downloadToFile(file);
  const bytes = readFileSync(file);
  assert.equal(createHash('sha256').update(bytes).digest('hex'), up.sha256);
  assert.equal(bytes.subarray(0, 8).toString('latin1'), 'Salted__', 'encrypted at rest (openssl enc), not PGDMP');

  // Restored straight from the container (download | openssl -d | pg_restore), checked against the recorded sha256.
  const restored = await bi(['restore', 'logical', '--blob', up.blob, '--into', 'bill_from_blob']);
  assert.equal(restored.code, 0, restored.stderr + restored.stdout);
  const [a] = await primary.query<{ n: number; h: string }>(COUNT, [], cfg.database.name);
  const [b] = await primary.query<{ n: number; h: string }>(COUNT, [], 'bill_from_blob');
  assert.equal(a!.n, ROWS);
  assert.deepEqual(b, a, 'the copy restored from Blob storage has every row');
  assert.equal(json<{ sha256: string }>(restored).sha256, up.sha256);

  // A blob whose bytes no longer match what was uploaded is refused after the restore, never reported as done.
  await blob.setMetadata({ ...props.metadata, sha256: '0'.repeat(64) });
  const tampered = await bi(['restore', 'logical', '--blob', up.blob, '--into', 'bill_tampered']);
  assert.notEqual(tampered.code, 0, tampered.stdout);
  assert.equal(json<{ error: { code: string } }>(tampered).error.code, 'DUMP_VERIFY_FAILED');
  await blob.setMetadata(props.metadata);
  const missing = await bi(['restore', 'logical', '--blob', 'no-such.dump.enc', '--into', 'bill_none']);
  assert.equal(json<{ error: { code: string } }>(missing).error.code, 'DUMP_MISSING');
  process.stderr.write(
    `uploaded ${up.bytes} bytes in ${blocks.committedBlocks?.length} blocks; restored ${b!.n} of ${a!.n} rows\n`,
  );
});

test('check weekly and the monitor see the newest dump in the container and its age', async () => {
  const newest = (await blobNames()).filter((n) => n.endsWith('.dump.enc')).at(-1)!;
  const weekly = await bi(['check', 'weekly']);
  const item = json<{ items: Array<{ id: string; status: string; detail: string }> }>(weekly).items.find(
    (i) => i.id === 'logical-dump',
  )!;
  assert.equal(item.status, 'pass', item.detail);
  assert.match(
    item.detail,
    new RegExp(
      `^newest ${newest.replace(/\./g, '\\.')} \\(\\d+\\.\\d MB, 0\\.0 days old, limit 8\\) of 1 in ${az!.url}/logical-dumps$`,
    ),
  );

  const snap = json<{ logicalDumps: { count: number; newest: { name: string; ageHours: number } } }>(
    await bi(['monitor', 'snapshot']),
  );
  assert.equal(snap.logicalDumps.newest.name, newest);
  assert.ok(snap.logicalDumps.newest.ageHours < 1, `${snap.logicalDumps.newest.ageHours} h old`);

  // The same dump judged against a limit it has outlived: the item fails.
  const strict = await cli(['--data-dir', cfg.dataDir, '--json', 'check', 'weekly'], {
    env: { ...env(az!.url), BILL_INQUIRY__MONITOR__CHECKS__LOGICAL_DUMP_MAX_AGE_DAYS: '0.000001' },
    timeoutMs: 300_000,
  });
  const late = json<{ items: Array<{ id: string; status: string }> }>(strict).items.find(
    (i) => i.id === 'logical-dump',
  )!;
  assert.equal(late.status, 'fail');
});

test('on an external target (as the weekly CronJob runs it against Azure): dumped as the backup role, no admin connection needed', async () => {
  const external = path.join(cfg.dataDir, 'external.json');
  writeFileSync(
    external,
    JSON.stringify({
      service: { database: { primary: { host: '127.0.0.1', port: cfg.cluster.port }, caFile: tls.caCert } },
    }),
  );
  const before = await blobNames();
  const r = await cli(['--data-dir', cfg.dataDir, '--config', external, '--json', 'backup', 'logical', '--upload'], {
    env: env(az!.url),
    timeoutMs: 300_000,
  });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const up = json<{ blob: string; bytes: number; verified: { bytes: number } }>(r);
  assert.equal(up.verified.bytes, up.bytes);
  assert.deepEqual(await blobNames(), [...before, up.blob].sort());

  // Restored into a new database of that server: an external one has no admin connection here, --admin-url gives it.
  const superuser = new SecretStore(cfg.dataDir).get('postgres-superuser');
  const adminUrl = `postgres://postgres:${encodeURIComponent(superuser)}@127.0.0.1:${cfg.cluster.port}/postgres?sslmode=verify-full&sslrootcert=${tls.caCert}`;
  const args = ['--data-dir', cfg.dataDir, '--config', external, '--json', 'restore', 'logical', '--blob', up.blob];
  const refused = await cli([...args, '--into', 'bill_ext'], { env: env(az!.url), timeoutMs: 300_000 });
  assert.equal(json<{ error: { code: string } }>(refused).error.code, 'ADMIN_URL_REQUIRED', refused.stdout);
  const restored = await cli([...args, '--into', 'bill_ext', '--admin-url', adminUrl], {
    env: env(az!.url),
    timeoutMs: 300_000,
  });
  assert.equal(restored.code, 0, restored.stderr + restored.stdout);
  const [a] = await primary.query<{ n: number; h: string }>(COUNT, [], cfg.database.name);
  const [b] = await primary.query<{ n: number; h: string }>(COUNT, [], 'bill_ext');
  assert.deepEqual(b, a);
});

test('a failed pg_dump is never committed as a dump: the stream errors before the block list is', async () => {
  const before = await blobNames();
  const r = await cli(['--data-dir', cfg.dataDir, '--json', 'backup', 'logical', '--upload'], {
    env: { ...env(az!.url), [SecretStore.envName(cfg.database.roles.backup)]: 'not-the-password' },
    timeoutMs: 300_000,
  });
  assert.notEqual(r.code, 0, r.stdout);
  const out = json<{ ok: boolean; error: { code: string; message: string } }>(r);
  assert.equal(out.error.code, 'DUMP_UPLOAD_FAILED', r.stdout);
  assert.match(out.error.message, /pg_dump failed \(exit 1\): .*password authentication failed/);
  assert.deepEqual(await blobNames(), before, 'no truncated dump in the container');
});

test('a connection cut mid-upload is reported as failed, and no dump is committed', async () => {
  const before = await blobNames();
  const { address } = await lookup('localhost');
  const proxy = await startCutProxy(address, az!.port, 1.5 * 2 ** 20);
  try {
    const r = await bi(['backup', 'logical', '--upload'], `https://localhost:${proxy.port}/${az!.account}`);
    assert.ok(proxy.forwarded() >= 1.5 * 2 ** 20, `the cut came mid-stream, after ${proxy.forwarded()} bytes`);
    await proxy.cut;
    assert.notEqual(r.code, 0, r.stdout);
    const out = json<{ ok: boolean; error: { code: string; message: string } }>(r);
    assert.equal(out.ok, false);
    assert.equal(out.error.code, 'DUMP_UPLOAD_FAILED', r.stdout);
    assert.match(out.error.message, /was not stored in https:\/\/localhost:\d+\/\w+\/logical-dumps/);
    assert.deepEqual(await blobNames(), before, 'no new blob in the container');
    process.stderr.write(`cut after ${proxy.forwarded()} bytes: ${out.error.message.slice(0, 200)}\n`);
  } finally {
    await proxy.stop();
  }
});
