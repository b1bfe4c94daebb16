import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { issueToken } from '../src/service/auth/tokens.js';
import { mockBill, mockCustomer } from '../src/kos/mock/billData.js';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import type { BillInfo } from '../src/kos/protocol.js';
import { startServiceHarness, type ServiceHarness } from './helpers/service.js';

/*
 * /api/v1/bills, the API of phonebill's running code (phonebill-design-facts §8), driven with
 * phonebill Auth tokens the way its React frontend calls it, on a real database, with the KOS
 * mock speaking phonebill's kos-mock protocol (the running code's KOS). The last describe
 * checks what the design's KOS protocol gives the same API (derived fields).
 */

const KOREAN = /[가-힣]/;
const now = currentMonth('Asia/Seoul');
const [thisMonth, lastMonth, twoBack] = availableMonths(now, 3) as [string, string, string];
const yyyymm = (m: string) => m.replace('-', '');

/** A phonebill Auth access token (HS512, one line without dashes, customerId) for one user and line. */
const pbToken = (h: ServiceHarness, user: string, line: string, customerId = 'CUST001') =>
  issueToken(h.cfg, { format: 'phonebill', userId: user, customerId, lines: [line] });

/** Every field name and JSON type of §8's billInfo and customerInfo, nothing more. */
function assertV1Shape(data: any): void {
  const types = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v]));
  assert.deepEqual(types(data.billInfo), {
    lineNumber: 'string',
    billingMonth: 'string',
    productCode: 'string',
    productName: 'string',
    monthlyFee: 'number',
    usageFee: 'number',
    discountAmount: 'number',
    totalFee: 'number',
    dataUsage: 'string',
    voiceUsage: 'string',
    smsUsage: 'string',
    billStatus: 'string',
    dueDate: 'string',
  });
  assert.deepEqual(types(data.customerInfo), {
    customerName: 'string',
    customerId: 'string',
    operatorCode: 'string',
    lineStatus: 'string',
  });
  assert.match(data.billInfo.billingMonth, /^\d{6}$/);
  assert.match(data.billInfo.dueDate, /^\d{8}$/);
  assert.match(data.billInfo.lineNumber, /^010\d{8}$/);
}

/** The running code's error envelope with a Korean message the page can show. */
function assertV1Error(r: { status: number; body: any }, status: number, code: string): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.success, false);
  assert.equal(r.body.error.code, code);
  assert.match(r.body.message, KOREAN, 'the message the page shows is Korean');
  assert.equal(r.body.error.message, r.body.message);
  assert.ok(!Number.isNaN(Date.parse(r.body.timestamp)));
}

// Top level, not in a describe: the harness's after() hooks must belong to the file (they run in filtered runs too).
const h = await startServiceHarness({
  overrides: {
    service: { kosProtocol: 'phonebill-kos-mock', apiV1: { inquiryDeadlineMs: 1500 } },
    systemConfig: { circuitFailureThreshold: 3 },
  },
});
const LINE = '010-1234-5678'; // the kos-mock's CUST000001, 5G 프리미엄 플랜
const token = pbToken(h, 'testuser01', LINE);

describe('/api/v1/bills with the phonebill kos-mock protocol', () => {
  const inquire = (tok: string, body: unknown) => h.api('POST', '/api/v1/bills/inquiry', { token: tok, body });

  test('menu in the running code’s shape', async () => {
    const r = await h.api('GET', '/api/v1/bills/menu', { token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, {
      success: true,
      data: {
        customerInfo: { customerId: 'CUST001', lineNumber: LINE },
        availableMonths: availableMonths(now, 24),
        currentMonth: now,
      },
      message: r.body.message,
    });
    const doc = await fetch(`${h.url}/docs/json`).then((d) => d.json() as Promise<{ paths: Record<string, unknown> }>);
    for (const p of ['/api/v1/bills/menu', '/api/v1/bills/inquiry', '/api/v1/bills/history', '/bills/inquiry'])
      assert.ok(doc.paths[p], `/docs documents ${p}`);
    assert.equal(doc.paths['/api/v1/bills/inquiry/{requestId}'], undefined, 'the running code has no status route');
  });

  test('inquiry: both line forms and both month forms (and none) answer 200 with billInfo and customerInfo', async () => {
    const cases: Array<[line: string, month: string | undefined, expected: string]> = [
      [LINE, yyyymm(lastMonth), lastMonth],
      ['01012345678', lastMonth, lastMonth],
      ['01012345678', yyyymm(twoBack), twoBack],
      [LINE, undefined, thisMonth],
    ];
    for (const [line, month, expected] of cases) {
      const r = await inquire(token, { lineNumber: line, ...(month ? { inquiryMonth: month } : {}) });
      assert.equal(r.status, 200, `${line} ${month}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.success, true);
      assert.equal(r.body.resultCode, '0000');
      assert.equal(typeof r.body.resultMessage, 'string');
      assert.ok(!Number.isNaN(Date.parse(r.body.timestamp)));
      assert.ok('traceId' in r.body);
      assert.equal(r.body.data.procStatus, 'COMPLETED');
      assert.equal(typeof r.body.data.requestId, 'string');
      assertV1Shape(r.body.data);
      const b = mockBill('01012345678', yyyymm(expected));
      assert.deepEqual(r.body.data.billInfo, {
        lineNumber: '01012345678',
        billingMonth: yyyymm(expected),
        productCode: '5G-PREMIUM-001',
        productName: '5G 프리미엄 플랜',
        monthlyFee: 89_000,
        usageFee: b.usageFee,
        discountAmount: b.discounts.reduce((n, d) => n + d.amount, 0),
        totalFee: b.total,
        dataUsage: b.usage.data,
        voiceUsage: b.usage.voice,
        smsUsage: b.usage.sms,
        billStatus: b.paid ? 'PAID' : 'CONFIRMED',
        dueDate: `${yyyymm(expected)}25`,
      });
      assert.deepEqual(r.body.data.customerInfo, {
        customerName: '김테스트',
        customerId: 'CUST000001',
        operatorCode: 'KT',
        lineStatus: 'ACTIVE',
      });
    }
  });

  test('the kos-mock fields survive the caches: a cache hit answers them, and the shared table holds them encrypted', async () => {
    const calls = h.kos.calls.bill;
    const first = await inquire(token, { lineNumber: LINE, inquiryMonth: yyyymm(lastMonth) });
    assert.equal(h.kos.calls.bill, calls, 'answered from the cache');
    assert.equal(first.body.data.billInfo.productCode, '5G-PREMIUM-001');
    await h.flush();
    const rows = await h.sql<{ bill_info_json: string }>(
      "SELECT bill_info_json #>> '{}' AS bill_info_json FROM bill_info_cache WHERE cache_key = $1",
      [`${LINE}:${lastMonth}`],
    );
    const raw = rows[0]!.bill_info_json;
    assert.ok(!raw.includes('5G-PREMIUM-001'), 'no plaintext product code at rest');
    const stored = h.service.runtime.cipher.decryptJson<BillInfo>('bill_info_json', raw);
    assert.equal(stored.detail?.productCode, '5G-PREMIUM-001');
    assert.equal(stored.detail?.monthlyFee, 89_000);
    assert.equal(stored.detail?.customer?.lineStatus, 'ACTIVE');
    // The design's API never shows the detail.
    const design = await h.api('POST', '/bills/inquiry', {
      token,
      body: { lineNumber: LINE, inquiryMonth: lastMonth },
    });
    assert.equal(design.status, 200);
    assert.equal(design.body.data.billInfo.detail, undefined);
    assert.equal(design.body.data.billInfo.totalAmount, first.body.data.billInfo.totalFee);
  });

  test('history in the running code’s shape; both route sets write the same rows and list each other’s', async () => {
    const line = '010-8765-4321'; // CUST000002
    const tok = pbToken(h, 'testuser02', line, 'CUST002');
    const viaDesign = await h.api('POST', '/bills/inquiry', {
      token: tok,
      body: { lineNumber: line, inquiryMonth: lastMonth },
    });
    const viaV1 = await inquire(tok, { lineNumber: '01087654321', inquiryMonth: yyyymm(twoBack) });
    assert.equal(viaDesign.status, 200);
    assert.equal(viaV1.status, 200);
    await h.flush();
    const rows = await h.sql(
      `SELECT request_id, user_id, line_number, inquiry_month, status, result_summary,
              (bill_info_json IS NOT NULL) AS has_bill, process_time IS NOT NULL AS processed,
              (SELECT count(*)::int FROM kos_inquiry_history k WHERE k.bill_request_id = b.request_id) AS kos_rows
         FROM bill_inquiry_history b WHERE user_id = 'testuser02' ORDER BY request_time`,
    );
    assert.equal(rows.length, 2);
    const shape = ({ request_id: _id, inquiry_month: _m, ...rest }: Record<string, unknown>) => rest;
    assert.deepEqual(shape(rows[1]!), shape(rows[0]!), 'the same row, whichever API wrote it');
    assert.deepEqual(shape(rows[0]!), {
      user_id: 'testuser02',
      line_number: line,
      status: 'COMPLETED',
      result_summary: '조회 완료',
      has_bill: true,
      processed: true,
      kos_rows: 1,
    });
    assert.deepEqual(
      rows.map((r) => r.inquiry_month),
      [lastMonth, twoBack],
      'stored as YYYY-MM whatever the API took',
    );

    const v1 = await h.api('GET', '/api/v1/bills/history?lineNumber=01087654321', { token: tok });
    assert.equal(v1.status, 200, JSON.stringify(v1.body));
    assert.equal(v1.body.success, true);
    assert.deepEqual(
      v1.body.data.items.map((i: any) => [i.requestId, i.lineNumber, i.inquiryMonth, i.status]),
      [
        [viaV1.body.data.requestId, '01087654321', yyyymm(twoBack), 'COMPLETED'],
        [viaDesign.body.data.requestId, '01087654321', yyyymm(lastMonth), 'COMPLETED'],
      ],
    );
    assert.match(v1.body.data.items[0].resultSummary, /^5G 스탠다드 플랜, [\d,]+원$/);
    assert.deepEqual(Object.keys(v1.body.data.pagination).sort(), [
      'currentPage',
      'hasNext',
      'hasPrevious',
      'pageSize',
      'totalItems',
      'totalPages',
    ]);
    const dashed = await h.api('GET', `/api/v1/bills/history?lineNumber=${line}&size=1`, { token: tok });
    assert.equal(dashed.body.data.pagination.totalItems, 2, 'the dashed form finds the same rows');
    const design = await h.api('GET', '/bills/history', { token: tok });
    assert.deepEqual(
      design.body.data.items.map((i: any) => i.requestId).sort(),
      [viaDesign.body.data.requestId, viaV1.body.data.requestId].sort(),
      "the design's history lists both",
    );
  });

  test('400, 401, 403 and unknown routes in the running code’s error envelope, Korean message', async () => {
    const badLine = await inquire(token, { lineNumber: '010-12-345' });
    assertV1Error(badLine, 400, 'VALIDATION_ERROR');
    assert.ok(badLine.body.data?.['body.lineNumber'] ?? badLine.body.data?.lineNumber, JSON.stringify(badLine.body));
    assertV1Error(await inquire(token, { lineNumber: LINE, inquiryMonth: '202613' }), 400, 'VALIDATION_ERROR');
    assertV1Error(await inquire(token, { inquiryMonth: yyyymm(thisMonth) }), 400, 'VALIDATION_ERROR');
    assertV1Error(await inquire(token, { lineNumber: LINE, inquiryMonth: '201001' }), 400, 'MONTH_OUT_OF_RANGE');
    const raw = await h.api('POST', '/api/v1/bills/inquiry', { token, raw: '{"lineNumber":' });
    assertV1Error(raw, 400, 'MALFORMED_JSON');
    assertV1Error(await h.api('GET', '/api/v1/bills/menu'), 401, 'UNAUTHORIZED');
    assertV1Error(await inquire('not-a-token', { lineNumber: LINE }), 401, 'UNAUTHORIZED');
    assertV1Error(await inquire(token, { lineNumber: '010-8765-4321' }), 403, 'FORBIDDEN');
    assertV1Error(await h.api('GET', '/api/v1/bills/inquiry/REQ_1', { token }), 404, 'NOT_FOUND');
    const suspended = pbToken(h, 'suspended', '010-0000-0000', 'CUST999999');
    assertV1Error(await inquire(suspended, { lineNumber: '01000000000' }), 409, 'LINE_INACTIVE');
  });

  test('KOS slower than service.apiV1.inquiryDeadlineMs: 504 with a Korean message, never 202; the request completes in the background and a retry answers 200', async () => {
    const line = '010-5555-4444'; // CUST000003
    const tok = pbToken(h, 'testuser03', line, 'CUST003');
    await h.scenario({ latencyMs: 3000 });
    let late;
    try {
      late = await inquire(tok, { lineNumber: line, inquiryMonth: yyyymm(thisMonth) });
    } finally {
      await h.scenario({ latencyMs: 0 });
    }
    assertV1Error(late, 504, 'KOS_TIMEOUT');
    assert.match(late.body.error.detail, /inquiryDeadlineMs \(1500 ms\)/);
    // The KOS call finishes in the background (3 s): the request recorded PROCESSING completes.
    const id = /request (\S+) stays PROCESSING/.exec(late.body.error.detail)![1]!;
    let status = '';
    const doneBy = Date.now() + 20_000;
    while (status !== 'COMPLETED' && Date.now() < doneBy) {
      status = (await h.api('GET', `/bills/inquiry/${id}`, { token: tok })).body.data?.status;
      if (status !== 'COMPLETED') await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 'COMPLETED', 'the late KOS answer completes the request in the background');
    let again = { status: 0, body: {} as any };
    const by = Date.now() + 20_000;
    while (Date.now() < by) {
      again = await inquire(tok, { lineNumber: line, inquiryMonth: yyyymm(thisMonth) });
      if (again.status === 200) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.data.billInfo.productName, 'LTE 프리미엄 플랜');
  });

  test('breaker open: 503 with a Korean message, KOS not called', async () => {
    const line = '010-9999-8888'; // CUST000004
    const tok = pbToken(h, 'testuser04', line, 'CUST004');
    await h.scenario({ force: 'systemError' });
    try {
      let r = { status: 0, body: {} as any };
      for (let i = 0; i < 10 && r.status !== 503; i++)
        r = await inquire(tok, { lineNumber: line, inquiryMonth: yyyymm(lastMonth) });
      assertV1Error(r, 503, 'SERVICE_UNAVAILABLE');
      assert.equal(h.service.runtime.breakerState(), 'OPEN');
      const calls = h.kos.calls.bill;
      assertV1Error(
        await inquire(tok, { lineNumber: line, inquiryMonth: yyyymm(lastMonth) }),
        503,
        'SERVICE_UNAVAILABLE',
      );
      assert.equal(h.kos.calls.bill, calls, 'an open breaker does not call KOS');
    } finally {
      await h.scenario({ force: null });
    }
  });
});

// Its own harness, started inside the test: a filtered run that skips it starts nothing.
test('/api/v1/bills over the design KOS protocol: the kos-mock fields derived — monthlyFee + usageFee − discountAmount + installment = totalFee; customer from KOS’s customer lookup', async () => {
  const h = await startServiceHarness();
  const LINE = '010-3333-1234';
  const token = pbToken(h, 'design-user', LINE, 'CUST777');

  const r = await h.api('POST', '/api/v1/bills/inquiry', {
    token,
    body: { lineNumber: '01033331234', inquiryMonth: yyyymm(lastMonth) },
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assertV1Shape(r.body.data);
  const b = mockBill('01033331234', yyyymm(lastMonth));
  const discount = b.discounts.reduce((n, d) => n + d.amount, 0);
  assert.deepEqual(r.body.data.billInfo, {
    lineNumber: '01033331234',
    billingMonth: yyyymm(lastMonth),
    productCode: '',
    productName: b.productName,
    monthlyFee: b.total + discount - b.deviceInstallment,
    usageFee: 0,
    discountAmount: discount,
    totalFee: b.total,
    dataUsage: b.usage.data,
    voiceUsage: b.usage.voice,
    smsUsage: '',
    billStatus: b.paid ? 'PAID' : 'CONFIRMED',
    dueDate: `${yyyymm(lastMonth)}25`,
  });
  const c = mockCustomer('01033331234');
  assert.deepEqual(r.body.data.customerInfo, {
    customerName: c.customerName,
    customerId: c.customerId,
    operatorCode: c.operatorCode,
    lineStatus: 'ACTIVE',
  });
});
