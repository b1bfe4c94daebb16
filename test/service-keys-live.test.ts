import assert from 'node:assert/strict';
import { test } from 'node:test';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { Keyring } from '../src/service/crypto/keyring.js';
import { SecretStore } from '../src/system/secrets.js';
import { cli, json } from './helpers/cli.js';
import { startServiceHarness } from './helpers/service.js';

const LINE = '010-6262-1111';
const h = await startServiceHarness();
const token = h.token('keys-user', [LINE]);
const months = availableMonths(currentMonth('Asia/Seoul'), 3);
const keyring = h.service.runtime.cipher.keyring;
const secrets = new SecretStore(h.cfg.dataDir);
const env = {
  BILL_INQUIRY__CLUSTER__PORT: String(h.cfg.cluster.port),
  BILL_INQUIRY__SERVICE__ENCRYPTION__ROTATE_GRACE_MS: '300',
};

async function inquire(inquiryMonth: string): Promise<{ requestId: string; billInfo: unknown }> {
  const r = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE, inquiryMonth } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data;
}

/** Key ids of the stored ciphertexts of a request: its bill row and its KOS rows. */
async function storedKeyIds(requestId: string): Promise<string[]> {
  const rows = await h.sql<{ v: string }>(
    `SELECT bill_info_json #>> '{}' AS v FROM bill_inquiry_history WHERE request_id = $1
     UNION ALL SELECT kos_data_json #>> '{}' FROM kos_inquiry_history WHERE bill_request_id = $1`,
    [requestId],
  );
  return rows.map((r) => r.v.split('.').slice(0, 2).join('.'));
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
  assert.ok(ok(), what);
}

test('keys rotate switches the running service to the new key without restart', async () => {
  const before = await inquire(months[0]!);
  await h.flush();
  const oldKid = keyring.current.id;
  assert.deepEqual(await storedKeyIds(before.requestId), [`gcm1.${oldKid}`, `gcm1.${oldKid}`]);

  const r = await cli(['--data-dir', h.cfg.dataDir, '--json', 'keys', 'rotate'], { env });
  assert.equal(r.code, 0, r.stderr);
  const { keyId, previousKeyId } = json<{ keyId: string; previousKeyId: string }>(r);
  assert.equal(previousKeyId, oldKid);
  assert.notEqual(keyId, oldKid);
  assert.equal(keyring.current.id, keyId, 'the service switched while rotate waited its grace period');

  const miss = await inquire(months[1]!); // fresh bill from KOS, encrypted now
  const hit = await inquire(months[0]!); // the bill cached (in process) before the rotation
  await h.flush();
  assert.deepEqual(
    await storedKeyIds(miss.requestId),
    [`gcm1.${keyId}`, `gcm1.${keyId}`],
    'cache miss: bill and KOS data under the new key',
  );
  assert.deepEqual(await storedKeyIds(hit.requestId), [`gcm1.${keyId}`], 'cache hit: re-encrypted under the new key');
  assert.deepEqual(
    await storedKeyIds(before.requestId),
    [`gcm1.${keyId}`, `gcm1.${keyId}`],
    'rotate re-encrypted the older rows',
  );
  for (const x of [before, miss, hit]) {
    const got = await h.api('GET', `/bills/inquiry/${x.requestId}`, { token });
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.data.billInfo, x.billInfo, 'every row decrypts through the API');
  }
});

test('a new current key this host cannot read is refused loudly; the old key stays and requests keep working', async () => {
  const kid = keyring.current.id;
  secrets.put('column-key-current', 'k20991231235959');
  try {
    await h.sql(`SELECT pg_notify('column_key_rotated', 'k20991231235959')`);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(keyring.current.id, kid);
    const x = await inquire(months[2]!);
    await h.flush();
    assert.deepEqual(await storedKeyIds(x.requestId), [`gcm1.${kid}`, `gcm1.${kid}`]);
  } finally {
    secrets.put('column-key-current', kid);
  }
});

test('a rotation missed while the listener was disconnected is picked up when it reconnects', async () => {
  const kid = new Keyring(secrets).add(); // new current key, no notification
  await new Promise((r) => setTimeout(r, 200));
  assert.notEqual(keyring.current.id, kid, 'nothing told the service yet');
  await h.sql(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'bill-inquiry-service-listen'`,
  );
  await until('the service re-read the current key on reconnect', () => keyring.current.id === kid);
  const x = await inquire(months[0]!);
  await h.flush();
  assert.deepEqual(await storedKeyIds(x.requestId), [`gcm1.${kid}`]);
});
