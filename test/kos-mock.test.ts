import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadConfig } from '../src/config/load.js';
import { KosClient, type KosClientSettings } from '../src/kos/client/kosClient.js';
import { startKosMock } from '../src/kos/mock/server.js';
import { KOS_PATHS } from '../src/kos/protocol.js';
import { freePort } from '../src/system/freePort.js';
import { cli, startCli } from './helpers/cli.js';

const cfg = loadConfig({ env: {}, overrides: { service: { kosMock: { latencyMs: 0 } } } });
const mock = await startKosMock(cfg.service.kosMock);
after(() => mock.close());

const post = async (path: string, body: unknown) => {
  const r = await fetch(mock.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as { resultCode: string; resultMessage: string; data: any } };
};
const setScenario = (s: object) =>
  fetch(mock.url + KOS_PATHS.admin, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(s),
  });

const settings = (o: Partial<KosClientSettings> = {}): KosClientSettings => ({
  connectTimeoutMs: 1000,
  readTimeoutMs: 1000,
  retryAttempts: 2,
  retryDelayMs: 5,
  failureThreshold: 100,
  recoveryTimeoutMs: 1000,
  successThreshold: 1,
  windowMs: 60_000,
  ...o,
});

test('KOS mock: deterministic bills per line and month, the E001/E002 lines, customer info', async () => {
  const a = await post(KOS_PATHS.billInquiry, { lineNumber: '01012345678', inquiryMonth: '202609' });
  const b = await post(KOS_PATHS.billInquiry, { lineNumber: '01012345678', inquiryMonth: '202609' });
  const c = await post(KOS_PATHS.billInquiry, { lineNumber: '01012345678', inquiryMonth: '202608' });
  assert.equal(a.body.resultCode, '0000');
  assert.deepEqual(a.body, b.body, 'same line and month, same bill');
  assert.notDeepEqual(a.body.data, c.body.data, 'another month, another bill');
  assert.equal(a.body.data.billingMonth, '2026-09');
  for (const k of [
    'productName',
    'contractInfo',
    'totalAmount',
    'discountInfo',
    'usage',
    'terminationFee',
    'deviceInstallment',
    'paymentInfo',
  ])
    assert.ok(k in a.body.data, k);
  assert.equal(
    (await post(KOS_PATHS.billInquiry, { lineNumber: '01055550000', inquiryMonth: '202609' })).body.resultCode,
    'E001',
  );
  assert.equal(
    (await post(KOS_PATHS.billInquiry, { lineNumber: '01055559999', inquiryMonth: '202609' })).body.resultCode,
    'E002',
  );
  assert.equal(
    (await post(KOS_PATHS.billInquiry, { lineNumber: '010-1234-5678', inquiryMonth: '2026-09' })).status,
    400,
    'KOS wants digits and YYYYMM',
  );
  const cust = await post(KOS_PATHS.customerInfo, { lineNumber: '01012345678' });
  assert.equal(cust.body.data.lineNumber, '010-1234-5678');
  assert.match(cust.body.data.customerId, /^C\d{8}$/);
  assert.ok(['ACTIVE', 'INACTIVE'].includes(cust.body.data.status));
});

test('KOS mock scenarios change at run time: forced codes, failure rate, latency', async () => {
  await setScenario({ forceCode: 'E999' });
  assert.equal(
    (await post(KOS_PATHS.billInquiry, { lineNumber: '01012345678', inquiryMonth: '202609' })).body.resultCode,
    'E999',
  );
  await setScenario({ forceCode: null, failureRate: 1 });
  assert.equal(
    (await post(KOS_PATHS.billInquiry, { lineNumber: '01012345678', inquiryMonth: '202609' })).body.resultCode,
    'E999',
  );
  await setScenario({ failureRate: 0, latencyMs: 200 });
  const t = Date.now();
  assert.equal(
    (await post(KOS_PATHS.billInquiry, { lineNumber: '01012345678', inquiryMonth: '202609' })).body.resultCode,
    '0000',
  );
  assert.ok(Date.now() - t >= 190, 'latency applied');
  await setScenario({ latencyMs: 0 });
});

test('KOS client: retries with backoff, counts them, times out, and E001 is an answer not a failure', async () => {
  const client = new KosClient(mock.url, settings(), 8);
  after(() => client.close());
  const ok = await client.billInquiry('01012345678', '202609');
  assert.deepEqual([ok.outcome, ok.retryCount, ok.response?.resultCode], ['success', 0, '0000']);

  await setScenario({ httpError: true });
  const before = mock.calls[KOS_PATHS.billInquiry]!;
  const failed = await client.billInquiry('01012345678', '202609');
  assert.equal(failed.outcome, 'failure');
  assert.equal(failed.retryCount, 2);
  assert.equal(mock.calls[KOS_PATHS.billInquiry]! - before, 3, 'first try + 2 retries');
  await setScenario({ httpError: false });

  const unknown = await client.billInquiry('01055550000', '202609');
  assert.deepEqual(
    [unknown.outcome, unknown.retryCount, unknown.response?.resultCode],
    ['success', 0, 'E001'],
    'E001 is not retried',
  );

  await setScenario({ timeoutRate: 1, hangMs: 5000 });
  client.reconfigure(settings({ readTimeoutMs: 150, retryAttempts: 0 }));
  const t = Date.now();
  const slow = await client.billInquiry('01012345678', '202609');
  assert.equal(slow.outcome, 'timeout');
  assert.ok(Date.now() - t < 1000);
  await setScenario({ timeoutRate: 0 });
});

test('KOS client breaker: opens at the threshold and rejects without calling KOS', async () => {
  const client = new KosClient(
    mock.url,
    settings({ retryAttempts: 0, failureThreshold: 2, recoveryTimeoutMs: 60_000 }),
    8,
  );
  after(() => client.close());
  await setScenario({ httpError: true });
  const events: string[] = [];
  client.on('call', (e: { outcome: string }) => events.push(e.outcome));
  await client.billInquiry('01012345678', '202609');
  assert.equal(client.breaker.state(), 'CLOSED');
  await client.billInquiry('01012345678', '202609');
  assert.equal(client.breaker.state(), 'OPEN');
  const calls = mock.calls[KOS_PATHS.billInquiry];
  const rejected = await client.billInquiry('01012345678', '202609');
  assert.equal(rejected.outcome, 'rejected');
  assert.equal(mock.calls[KOS_PATHS.billInquiry], calls);
  assert.deepEqual(events, ['failure', 'failure', 'rejected'], "'call' events for monitoring");
  await setScenario({ httpError: false });
});

test('bill-inquiry kos-mock serves the protocol until SIGTERM; bad flags are refused', async () => {
  const port = await freePort();
  const served = startCli(['kos-mock', '--port', String(port), '--latency-ms', '0']);
  let code: number | null;
  try {
    await served.waitFor('KOS mock on', 10_000);
    const r = await fetch(`http://127.0.0.1:${port}${KOS_PATHS.billInquiry}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lineNumber: '01012345678', inquiryMonth: '202609' }),
    });
    assert.equal(((await r.json()) as { resultCode: string }).resultCode, '0000');
  } finally {
    code = await served.stop();
  }
  assert.equal(code, 0);
  const bad = await cli(['kos-mock', '--failure-rate', '2']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /between 0 and 1/);
});
