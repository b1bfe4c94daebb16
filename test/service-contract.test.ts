import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { supersetProblems } from './helpers/openapiSuperset.js';
import { startServiceHarness } from './helpers/service.js';

/**
 * The API contract of phonebill's OpenAPI design: its document (the fixture,
 * verbatim from yabo0812/phonebill@b489c73…:design/backend/api/bill-inquiry-service-api.yaml)
 * against our /docs, and the behaviours it fixes.
 */
const FIXTURE = new URL('./fixtures/phonebill-bill-inquiry-service-api.yaml', import.meta.url);
/** The file's git blob id at that commit: the fixture is the design, byte for byte. */
const UPSTREAM_BLOB = '6fc5a35dc1baf0dece22c052aaee1fb89b18b223';
const PATHS = ['/bills/menu', '/bills/inquiry', '/bills/inquiry/{requestId}', '/bills/history'];

const LINE = '010-1234-5678';
const UNKNOWN = '010-5555-0000';
const h = await startServiceHarness({ overrides: { systemConfig: { circuitFailureThreshold: 1000 } } });
const token = h.token('contract-user', [LINE, UNKNOWN]);
const months = availableMonths(currentMonth('Asia/Seoul'), 24);

describe("phonebill's API contract", () => {
  test('our OpenAPI document is a superset of the design for its four paths', async () => {
    const text = readFileSync(FIXTURE);
    const blob = createHash('sha1').update(`blob ${text.length}\0`).update(text).digest('hex');
    assert.equal(blob, UPSTREAM_BLOB, 'the fixture is the design file as committed upstream');
    const design = parse(text.toString('utf8')) as Record<string, any>;
    const ours = (await (await fetch(`${h.url}/docs/json`)).json()) as Record<string, any>;
    assert.deepEqual(supersetProblems(design, ours, PATHS), []);

    // The comparison would catch a regression: drop a status, an enum value, a required property.
    const broken = structuredClone(ours);
    delete broken.paths['/bills/inquiry'].post.responses['503'];
    const item =
      broken.paths['/bills/history'].get.responses['200'].content['application/json'].schema.properties.data.properties
        .items.items;
    item.properties.status.enum = ['COMPLETED', 'PROCESSING'];
    item.required = item.required.filter((r: string) => r !== 'requestTime');
    delete broken.paths['/bills/menu'].get.responses['200'].content['application/json'].schema.properties.data
      .properties.customerInfo.properties.customerId;
    const problems = supersetProblems(design, broken, PATHS);
    for (const expected of [
      /^POST \/bills\/inquiry 503: missing in ours$/,
      /GET \/bills\/history 200.*status: enum values of the design missing in ours: FAILED/,
      /GET \/bills\/history 200.*required by the design, optional in ours: requestTime/,
      /GET \/bills\/menu 200.*customerInfo\.customerId: missing in ours/,
    ])
      assert.ok(
        problems.some((p) => expected.test(p)),
        `${expected} in:\n${problems.join('\n')}`,
      );
  });

  test("unknown or malformed requestId → 404 NOT_FOUND (phonebill's REQ_… ids are simply not found)", async () => {
    for (const id of [
      'REQ_20240308_001',
      'not-a-uuid',
      encodeURIComponent("1' OR '1'='1"),
      '01934f3c-0000-4000-8000-000000000000',
    ]) {
      const r = await h.api('GET', `/bills/inquiry/${id}`, { token });
      assert.equal(r.status, 404, id);
      assert.equal(r.body.success, false);
      assert.equal(r.body.error.code, 'NOT_FOUND');
      assert.equal(typeof r.body.error.detail, 'string');
      assert.ok(!Number.isNaN(Date.parse(r.body.error.timestamp)), 'error.timestamp is a date-time');
    }
  });

  test('VALIDATION_ERROR: detail is a string, every field in error.fields', async () => {
    const r = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: '01012345678' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'VALIDATION_ERROR');
    assert.equal(typeof r.body.error.detail, 'string');
    assert.match(r.body.error.detail, /lineNumber/);
    assert.deepEqual(
      r.body.error.fields.map((f: { field: string }) => f.field),
      ['body.lineNumber'],
    );
    const range = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE, inquiryMonth: '2019-01' } });
    assert.equal(range.body.error.code, 'MONTH_OUT_OF_RANGE');
    assert.equal(typeof range.body.error.detail, 'string');
  });

  test('an unexpected error is 500 INTERNAL_SERVER_ERROR', async () => {
    const r = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE, inquiryMonth: months[1] } });
    await h.flush();
    // A stored bill that no key decrypts: the service cannot read it.
    await h.sql(
      `UPDATE bill_inquiry_history SET bill_info_json = '"gcm1.k00000000000000.AAAA.AAAA.AAAA"' WHERE request_id = $1`,
      [r.body.data.requestId],
    );
    const broken = await h.api('GET', `/bills/inquiry/${r.body.data.requestId}`, { token });
    assert.equal(broken.status, 500);
    assert.deepEqual(Object.keys(broken.body.error).sort(), ['code', 'detail', 'message', 'timestamp']);
    assert.equal(broken.body.error.code, 'INTERNAL_SERVER_ERROR');
  });

  test('202 carries estimatedTime; a PROCESSING request carries progress; COMPLETED its bill and the design summary', async () => {
    await h.scenario({ latencyMs: 2500 });
    let id: string;
    try {
      const r = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE, inquiryMonth: months[3] } });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body.data).sort(), ['estimatedTime', 'requestId', 'status']);
      assert.equal(r.body.data.estimatedTime, '30초');
      id = r.body.data.requestId as string;
      const processing = await h.api('GET', `/bills/inquiry/${id}`, { token });
      assert.equal(processing.body.success, true);
      assert.equal(processing.body.data.status, 'PROCESSING');
      assert.ok(Number.isInteger(processing.body.data.progress) && processing.body.data.progress >= 0);
      assert.ok(processing.body.data.progress <= 95, 'never 100 before the answer');
      assert.equal(processing.body.data.resultSummary, '처리 중');
      assert.equal('errorMessage' in processing.body.data, false);
    } finally {
      await h.scenario({ latencyMs: 0 });
    }
    let done: { body: any } = { body: {} };
    for (let i = 0; i < 60 && done.body.data?.status !== 'COMPLETED'; i++) {
      await new Promise((res) => setTimeout(res, 100));
      done = await h.api('GET', `/bills/inquiry/${id}`, { token });
    }
    const bill = done.body.data.billInfo;
    assert.equal(done.body.data.status, 'COMPLETED');
    assert.equal('progress' in done.body.data, false);
    const summary = `${bill.productName}, ${Number(bill.totalAmount).toLocaleString('en-US')}원`;
    assert.match(summary, /, \d{1,3}(,\d{3})+원$/, 'thousands separators');
    assert.equal(done.body.data.resultSummary, summary);
    await h.flush();
    const listed = await h.api('GET', '/bills/history?size=100', { token });
    assert.equal(listed.body.data.items.find((i: { requestId: string }) => i.requestId === id).resultSummary, summary);
    const [stored] = await h.sql<{ result_summary: string }>(
      'SELECT result_summary FROM bill_inquiry_history WHERE request_id = $1',
      [id],
    );
    assert.equal(stored!.result_summary, '조회 완료', 'product and amount are bill data: not stored in plaintext');
  });

  test('FAILED: success false with its data and errorMessage; a stored TIMEOUT is answered FAILED', async () => {
    const failed = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: UNKNOWN } });
    assert.equal(failed.status, 404);
    await h.flush();
    const [row] = await h.sql<{ request_id: string; result_summary: string; error_message: string }>(
      'SELECT request_id, result_summary, error_message FROM bill_inquiry_history WHERE line_number = $1',
      [UNKNOWN],
    );
    assert.equal(row!.result_summary, '조회 실패');
    const got = await h.api('GET', `/bills/inquiry/${row!.request_id}`, { token });
    assert.equal(got.status, 200);
    assert.equal(got.body.success, false, "the design's FAILED example");
    assert.equal(got.body.data.status, 'FAILED');
    assert.equal(got.body.data.errorMessage, row!.error_message);

    // A timed-out inquiry is stored as TIMEOUT (the schema's status) and answered as FAILED.
    await h.sql(
      `UPDATE bill_inquiry_history SET status = 'TIMEOUT', error_message = 'KOS did not answer' WHERE request_id = $1`,
      [row!.request_id],
    );
    const timedOut = await h.api('GET', `/bills/inquiry/${row!.request_id}`, { token });
    assert.deepEqual([timedOut.body.data.status, timedOut.body.data.errorMessage], ['FAILED', 'KOS did not answer']);
    const list = await h.api('GET', `/bills/history?status=FAILED&lineNumber=${UNKNOWN}`, { token });
    assert.deepEqual(
      list.body.data.items.map((i: { status: string }) => i.status),
      ['FAILED'],
      'the FAILED filter finds the TIMEOUT row, shown as FAILED',
    );
    assert.equal((await h.api('GET', '/bills/history?status=TIMEOUT', { token })).status, 400, 'not an API status');
  });
});
