import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../src/config/load.js';
import { KosClient, type KosClientSettings } from '../src/kos/client/kosClient.js';
import { billFor, mockBill } from '../src/kos/mock/billData.js';
import { startKosMock, type KosMock } from '../src/kos/mock/server.js';
import { KOS_PATHS, type KosProtocolName, type KosScenario } from '../src/kos/protocol.js';
import { DESIGN_PATHS } from '../src/kos/protocols/design.js';
import { kosAdapter } from '../src/kos/protocols/index.js';
import { PHONEBILL_KOS_MOCK_PATHS } from '../src/kos/protocols/phonebillKosMock.js';
import { freePort } from '../src/system/freePort.js';
import { cli, startCli } from './helpers/cli.js';

const cfg = loadConfig({ env: {}, overrides: { service: { kosMock: { latencyMs: 0 } } } });

const post = async (mock: KosMock, path: string, body: unknown, method = 'POST') => {
  const r = await fetch(mock.url + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, any> };
};
const setScenario = (mock: KosMock, s: Partial<KosScenario>) =>
  fetch(mock.url + KOS_PATHS.admin, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(s),
  });

const settings = (o: Partial<KosClientSettings> = {}): KosClientSettings => ({
  connectTimeoutMs: 1000,
  readTimeoutMs: 1000,
  maxRetries: 2,
  retryDelayMs: 5,
  failureThreshold: 100,
  recoveryTimeoutMs: 1000,
  successThreshold: 1,
  windowMs: 60_000,
  ...o,
});

/** Now in Asia/Seoul as YYYYMM, and `back` months before. */
function month(back = 0): string {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit' })
    .format(new Date())
    .split('-')
    .map(Number);
  const i = y! * 12 + m! - 1 - back;
  return `${Math.floor(i / 12)}${String((i % 12) + 1).padStart(2, '0')}`;
}

describe('KOS mock speaking the design protocol', async () => {
  const mock = await startKosMock(cfg.service.kosMock, { protocol: 'design' });
  after(() => mock.close());
  const bill = (lineNumber: string, inquiryMonth = '202609') =>
    post(mock, DESIGN_PATHS.bill, { lineNumber, inquiryMonth });

  test('bills in the design form, deterministic; the scenario lines; E001, E002, E400', async () => {
    const a = await bill('01012345678');
    assert.equal(a.status, 200);
    assert.equal(a.body.resultCode, '0000');
    assert.deepEqual(a.body, (await bill('01012345678')).body, 'same line and month, same bill');
    assert.notDeepEqual(a.body.data, (await bill('01012345678', '202608')).body.data);
    const d = a.body.data;
    assert.deepEqual(Object.keys(d).sort(), [
      'billingMonth',
      'billingPaymentInfo',
      'charge',
      'contractInfo',
      'deviceInstallment',
      'discountInfo',
      'estimatedCancellationFee',
      'productName',
      'usage',
    ]);
    assert.equal(d.billingMonth, '202609');
    assert.equal(typeof d.charge, 'number');
    assert.equal(typeof d.discountInfo, 'string');
    assert.deepEqual(Object.keys(d.usage).sort(), ['data', 'voice'], 'the design reports no SMS usage');
    assert.match(d.billingPaymentInfo.paymentStatus, /^(완료|미납)$/);

    const noData = await bill('01012345679');
    assert.deepEqual([noData.status, noData.body.resultCode, noData.body.data], [200, 'E002', null]);
    const t = Date.now();
    const sysErr = await bill('01012345680');
    assert.deepEqual([sysErr.status, sysErr.body.resultCode], [500, 'E999']);
    assert.ok(Date.now() - t >= 950, 'the system-error line answers after about 1 s');
    assert.deepEqual(
      [(await bill('01055550000')).body.resultCode, (await bill('01055559999')).body.resultCode],
      ['E001', 'E002'],
    );
    assert.equal((await bill('01000000000')).body.resultCode, 'E001', 'a suspended line is unknown to the design');
    const bad = await post(mock, DESIGN_PATHS.bill, { lineNumber: '010-1234-5678', inquiryMonth: '2026-09' });
    assert.deepEqual([bad.status, bad.body.resultCode], [400, 'E400']);
    const cust = await post(mock, DESIGN_PATHS.customer, { lineNumber: '01012345678' });
    assert.deepEqual(cust.body.data, {
      customerId: 'CUST000001',
      lineNumber: '010-1234-5678',
      customerName: '김테스트',
      status: 'ACTIVE',
      operatorCode: 'KT',
    });
  });

  test('scenarios change at run time: forced case, failure rate, latency', async () => {
    await setScenario(mock, { force: 'systemError' });
    assert.equal((await bill('01012345678')).body.resultCode, 'E999');
    await setScenario(mock, { force: null, failureRate: 1 });
    assert.equal((await bill('01012345678')).status, 500);
    await setScenario(mock, { failureRate: 0, latencyMs: 200 });
    const t = Date.now();
    assert.equal((await bill('01012345678')).body.resultCode, '0000');
    assert.ok(Date.now() - t >= 190, 'latency applied');
    await setScenario(mock, { latencyMs: 0 });
  });
});

describe("KOS mock speaking phonebill's kos-mock protocol", async () => {
  const mock = await startKosMock(cfg.service.kosMock, { protocol: 'phonebill-kos-mock' });
  after(() => mock.close());
  const bill = (lineNumber: string, billingMonth?: string) =>
    post(mock, PHONEBILL_KOS_MOCK_PATHS.bill, { lineNumber, billingMonth, requestId: 'REQ_20260101_001' });

  test('the kos-mock envelope, its customers (three months of bills), 1001/1002/1003, 9001/9003/9005/9006', async () => {
    const a = await bill('01012345678', month(1));
    assert.equal(a.status, 200);
    assert.deepEqual(
      [a.body.success, a.body.resultCode, a.body.traceId, a.body.data.requestId, a.body.data.resultCode],
      [true, '0000', null, 'REQ_20260101_001', '0000'],
    );
    assert.match(a.body.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/, "Java's LocalDateTime");
    assert.deepEqual(a.body.data.customerInfo, {
      customerName: '김테스트',
      customerId: 'CUST000001',
      operatorCode: 'KT',
      lineStatus: 'ACTIVE',
    });
    const b = a.body.data.billInfo;
    assert.equal(b.billingMonth, month(1));
    assert.equal(b.productName, '5G 프리미엄 플랜');
    assert.equal(b.monthlyFee, 89_000);
    assert.match(b.dueDate, /^\d{8}$/);
    assert.equal((await bill('01012345678')).body.data.billInfo.billingMonth, month(), 'no month: the current one');
    const old = await bill('01012345678', month(3));
    assert.deepEqual([old.status, old.body.success, old.body.resultCode, old.body.data], [200, false, '1003', null]);
    assert.equal((await bill('01000000000', month())).body.resultCode, '1002', 'the suspended line');
    assert.equal((await bill('01055550000', month())).body.resultCode, '1001');
    assert.equal((await bill('01012345679', month())).body.resultCode, '1003', "the design's no-data line");
    const sys = await bill('01012345680', month());
    assert.deepEqual([sys.status, sys.body.resultCode], [200, '9999'], 'a system error arrives as 9999 with HTTP 200');
    const invalid = await post(mock, PHONEBILL_KOS_MOCK_PATHS.bill, { lineNumber: '0101234567' });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.resultCode, '9001');
    assert.match(invalid.body.resultMessage, /올바른 회선번호 형식이 아닙니다.*요청 ID는 필수입니다/);
    assert.equal((await post(mock, PHONEBILL_KOS_MOCK_PATHS.bill, '{"lineNumber":')).body.resultCode, '9003');
    const get = await fetch(mock.url + PHONEBILL_KOS_MOCK_PATHS.bill);
    assert.deepEqual([get.status, ((await get.json()) as { resultCode: string }).resultCode], [405, '9005']);
    const none = await post(mock, '/kos/bill/inquiry', {});
    assert.deepEqual([none.status, none.body.resultCode], [404, '9006'], "the design's path is not the kos-mock's");
  });
});

/** The client through each adapter, against the mock speaking that protocol. */
for (const protocol of ['design', 'phonebill-kos-mock'] as KosProtocolName[]) {
  describe(`KOS client, ${protocol} adapter`, async () => {
    const mock = await startKosMock(cfg.service.kosMock, { protocol });
    after(() => mock.close());
    const client = (o: Partial<KosClientSettings> = {}) => {
      const c = new KosClient(mock.url, kosAdapter(protocol), settings(o), 8);
      after(() => c.close());
      return c;
    };
    const thisMonth = month();
    const id = () => `REQ_${Math.random().toString(36).slice(2)}`;

    test('a bill is mapped into the API shape; business answers are neither retried nor counted', async () => {
      const c = client({ failureThreshold: 2 });
      const ok = await c.billInquiry('01087654321', thisMonth, id());
      assert.deepEqual(
        [ok.outcome, ok.retryCount, ok.answer?.kind, ok.answer?.resultCode],
        ['success', 0, 'bill', '0000'],
      );
      const full = billFor('01087654321', thisMonth);
      const got = ok.answer!.bill!;
      assert.equal(got.productName, full.productName);
      assert.equal(got.billingMonth, `${thisMonth.slice(0, 4)}-${thisMonth.slice(4)}`);
      assert.equal(got.totalAmount, full.totalAmount);
      assert.equal(got.paymentInfo?.billingDate, full.paymentInfo?.billingDate);
      assert.equal(got.paymentInfo?.paymentStatus, full.paymentInfo?.paymentStatus);
      assert.deepEqual(got.usage.voice, full.usage.voice);
      if (protocol === 'design') {
        assert.deepEqual(got.discountInfo, full.discountInfo, 'the discount string parsed back into entries');
        assert.equal(got.terminationFee, full.terminationFee);
        assert.equal(got.usage.sms, '', 'the design reports no SMS usage');
        assert.equal(ok.answer!.customer, undefined);
      } else {
        const discount = mockBill('01087654321', thisMonth).discounts.reduce((n, d) => n + d.amount, 0);
        assert.deepEqual(got.discountInfo, discount ? [{ name: '할인', amount: discount }] : []);
        assert.equal(got.usage.sms, full.usage.sms);
        assert.equal(ok.answer!.customer?.customerId, 'CUST000002', 'customerInfo comes with the bill');
      }
      const calls = mock.calls.bill!;
      for (let i = 0; i < 4; i++) {
        const unknown = await c.billInquiry('01055550000', thisMonth, id());
        assert.deepEqual([unknown.outcome, unknown.answer?.kind], ['success', 'unknownLine']);
        const none = await c.billInquiry('01012345679', thisMonth, id());
        assert.deepEqual([none.outcome, none.answer?.kind], ['success', 'noData']);
      }
      assert.equal(mock.calls.bill! - calls, 8, 'no retries for business answers');
      assert.equal(c.breaker.state(), 'CLOSED', 'and the breaker counted none of them (threshold 2)');
    });

    test('a system error is retried and counted; a timeout is a timeout; the breaker then opens', async () => {
      const c = client({ failureThreshold: 3, recoveryTimeoutMs: 60_000 });
      const calls = mock.calls.bill!;
      const failed = await c.billInquiry('01012345680', thisMonth, id());
      assert.equal(failed.outcome, 'failure');
      assert.equal(failed.answer?.kind, 'systemError');
      assert.equal(failed.answer?.resultCode, protocol === 'design' ? 'E999' : '9999');
      assert.equal(failed.retryCount, 2);
      assert.equal(mock.calls.bill! - calls, 3, 'the first try and 2 retries');
      assert.equal(c.breaker.state(), 'OPEN', 'three failed tries: threshold 3');
      const rejected = await c.billInquiry('01012345678', thisMonth, id());
      assert.equal(rejected.outcome, 'rejected');
      assert.equal(mock.calls.bill! - calls, 3, 'an open breaker does not call KOS');

      const cut = client({ failureThreshold: 2, recoveryTimeoutMs: 60_000 });
      const short = await cut.billInquiry('01012345680', thisMonth, id());
      assert.deepEqual(
        [short.outcome, short.retryCount, short.answer?.kind],
        ['failure', 2, 'systemError'],
        'the breaker opening mid-retry cuts the call short, but KOS failed it',
      );

      const slow = client({ readTimeoutMs: 300, maxRetries: 0 });
      const t = Date.now();
      const timedOut = await slow.billInquiry('01012345681', thisMonth, id());
      assert.equal(timedOut.outcome, 'timeout');
      assert.match(timedOut.errorDetail!, /300 ms/);
      assert.ok(Date.now() - t < 3000, 'the 5 s line is cut at the read timeout');
    });

    test('a refused request fails without retry and without counting; customer info per protocol', async () => {
      const c = client({ failureThreshold: 1 });
      const calls = mock.calls.bill!;
      // A line the API would never send: KOS refuses it (E400 / 9001).
      const refused = await c.billInquiry('0101234', thisMonth, id());
      assert.deepEqual([refused.outcome, refused.answer?.kind, refused.retryCount], ['failure', 'badRequest', 0]);
      assert.equal(refused.answer?.resultCode, protocol === 'design' ? 'E400' : '9001');
      assert.equal(mock.calls.bill ?? 0, calls, 'refused before the mock counted a call');
      assert.equal(c.breaker.state(), 'CLOSED');
      const cust = await c.customerInfo('01012345678', thisMonth);
      assert.deepEqual(
        [cust.outcome, cust.customer?.customerId, cust.customer?.lineNumber],
        ['success', 'CUST000001', '010-1234-5678'],
      );
      assert.equal((await c.customerInfo('01055550000', thisMonth)).customer, undefined);
    });
  });
}

test('bill-inquiry kos-mock serves the configured protocol until SIGTERM; bad flags are refused', async () => {
  const port = await freePort();
  const served = startCli([
    'kos-mock',
    '--port',
    String(port),
    '--latency-ms',
    '0',
    '--protocol',
    'phonebill-kos-mock',
  ]);
  let code: number | null;
  try {
    await served.waitFor('KOS mock on', 10_000);
    assert.match(served.stdout, /phonebill-kos-mock protocol/);
    const r = await fetch(`http://127.0.0.1:${port}${PHONEBILL_KOS_MOCK_PATHS.bill}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lineNumber: '01012345678', requestId: 'REQ_1' }),
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
