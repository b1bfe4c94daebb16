import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSigner } from 'fast-jwt';
import { v7 as uuidv7 } from 'uuid';
import { issueToken, phonebillKey } from '../src/service/auth/tokens.js';
import { SecretStore } from '../src/system/secrets.js';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { cli } from './helpers/cli.js';
import { startServiceHarness, type ServiceHarness } from './helpers/service.js';

const LINE = '010-1234-5678';
const OTHER = '010-2222-3333';
const UNKNOWN = '010-5555-0000'; // KOS mock: E001
const NO_BILLS = '010-5555-9999'; // KOS mock: E002

// Top level, not in before(): the harness registers after() hooks that must belong to the file.
// A high breaker threshold: this file exercises status codes, not the breaker (test/service-kos.test.ts).
const h: ServiceHarness = await startServiceHarness({ overrides: { systemConfig: { circuitFailureThreshold: 1000 } } });
const token = h.token('user-1', [LINE, UNKNOWN, NO_BILLS]);

describe('service API over HTTP on a real database', () => {
  const count = async (table: string) =>
    Number((await h.sql<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

  test('health, readiness and the OpenAPI document', async () => {
    assert.deepEqual((await h.api('GET', '/health')).body, { success: true, data: { status: 'UP' }, message: 'OK' });
    const ready = await h.api('GET', '/ready');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.data.primary.reachable, true);
    assert.equal(ready.body.data.breaker, 'CLOSED');
    assert.equal(ready.body.data.replica.state, 'none');
    const doc = await fetch(`${h.url}/docs/json`).then((r) => r.json() as Promise<{ paths: Record<string, unknown> }>);
    for (const p of ['/bills/menu', '/bills/inquiry', '/bills/inquiry/{requestId}', '/bills/history'])
      assert.ok(doc.paths[p], `OpenAPI documents ${p}`);
  });

  test('menu: customer info from KOS, cached in customer_info with the name encrypted', async () => {
    const own = h.token('user-1', [LINE]);
    const r = await h.api('GET', '/bills/menu', { token: own });
    assert.equal(r.status, 200);
    const now = currentMonth('Asia/Seoul');
    assert.equal(r.body.data.currentMonth, now);
    assert.deepEqual(r.body.data.availableMonths, availableMonths(now, 24));
    assert.equal(r.body.data.customerInfo.lineNumber, LINE);
    const name = r.body.data.lines[0].customerName as string;
    assert.ok(name.length >= 2);
    const rows = await h.sql<{ customer_name: string }>(
      'SELECT customer_name FROM customer_info WHERE line_number = $1',
      [LINE],
    );
    assert.equal(rows.length, 1);
    assert.match(rows[0]!.customer_name, /^gcm1\.k\d{14}\./);
    assert.ok(!rows[0]!.customer_name.includes(name), 'the raw column holds no plaintext name');
    const kosCalls = h.kos.calls.customer;
    await h.api('GET', '/bills/menu', { token: own });
    assert.equal(h.kos.calls.customer, kosCalls, 'second menu served from cache');
  });

  test('inquiry 200 from KOS then from cache; history and KOS history written, bill info encrypted at rest', async () => {
    const month = availableMonths(currentMonth('Asia/Seoul'), 3)[2]!;
    const first = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE, inquiryMonth: month } });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.data.status, 'COMPLETED');
    assert.equal(first.body.data.billInfo.billingMonth, month);
    const kosBefore = h.kos.calls.bill;
    const second = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE, inquiryMonth: month } });
    assert.equal(second.status, 200);
    assert.deepEqual(second.body.data.billInfo, first.body.data.billInfo);
    assert.equal(h.kos.calls.bill, kosBefore, 'cache hit does not call KOS');

    // Read-your-writes: found at once, even before the history flush.
    const got = await h.api('GET', `/bills/inquiry/${second.body.data.requestId}`, { token });
    assert.equal(got.status, 200);
    assert.equal(got.body.data.status, 'COMPLETED');

    await h.flush();
    const rows = await h.sql<{ status: string; raw: string; request_time: Date; request_id: string }>(
      'SELECT status, bill_info_json::text AS raw, request_time, request_id FROM bill_inquiry_history WHERE request_id = ANY($1)',
      [[first.body.data.requestId, second.body.data.requestId]],
    );
    assert.equal(rows.length, 2);
    for (const r of rows) {
      assert.equal(r.status, 'COMPLETED');
      assert.ok(!r.raw.includes(first.body.data.billInfo.productName), 'no plaintext bill in bill_inquiry_history');
      assert.ok(!r.raw.includes(String(first.body.data.billInfo.totalAmount)));
      assert.match(r.raw, /^"gcm1\./);
    }
    const kos = await h.sql<{ retry_count: number; circuit_breaker_state: string; result_code: string; raw: string }>(
      'SELECT retry_count, circuit_breaker_state, result_code, kos_data_json::text AS raw FROM kos_inquiry_history WHERE bill_request_id = $1',
      [first.body.data.requestId],
    );
    assert.equal(kos.length, 1, 'one KOS call for the miss');
    assert.deepEqual([kos[0]!.retry_count, kos[0]!.circuit_breaker_state, kos[0]!.result_code], [0, 'CLOSED', '0000']);
    assert.ok(!kos[0]!.raw.includes(first.body.data.billInfo.productName), 'no plaintext bill in kos_inquiry_history');
    const cache = await h.sql<{ raw: string }>(
      'SELECT bill_info_json::text AS raw FROM bill_info_cache WHERE cache_key = $1',
      [`${LINE}:${month}`],
    );
    assert.equal(cache.length, 1);
    assert.ok(!cache[0]!.raw.includes(first.body.data.billInfo.productName), 'no plaintext bill in bill_info_cache');

    // After a key rotation every value is under the new key and still readable.
    const run = await cli(['--data-dir', h.cfg.dataDir, '--json', 'keys', 'rotate']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /bill_inquiry_history: \d+ value\(s\) re-encrypted/, 'progress on stderr');
    const rotated = JSON.parse(run.stdout) as {
      keyId: string;
      previousKeyId: string;
      reencrypted: Record<string, number>;
    };
    assert.notEqual(rotated.keyId, rotated.previousKeyId);
    assert.ok(rotated.reencrypted.bill_inquiry_history! >= 2);
    const kids = await h.sql<{ kid: string }>(
      `SELECT DISTINCT split_part(bill_info_json #>> '{}', '.', 2) AS kid FROM bill_inquiry_history WHERE bill_info_json IS NOT NULL`,
    );
    assert.deepEqual(
      kids.map((k) => k.kid),
      [rotated.keyId],
    );
    const after = await h.api('GET', `/bills/inquiry/${first.body.data.requestId}`, { token });
    assert.deepEqual(after.body.data.billInfo, first.body.data.billInfo);
  });

  test('a broken cache never fails a request: the bill comes from KOS', async () => {
    await h.sql('ALTER TABLE bill_info_cache RENAME TO bill_info_cache_away');
    try {
      const month = availableMonths(currentMonth('Asia/Seoul'), 9)[8]!;
      const r = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE, inquiryMonth: month } });
      assert.equal(r.status, 200);
      assert.equal(r.body.data.billInfo.billingMonth, month);
      await h.flush();
    } finally {
      await h.sql('ALTER TABLE bill_info_cache_away RENAME TO bill_info_cache');
    }
  });

  test('request_time equals the UUIDv7 timestamp of request_id', async () => {
    await h.flush();
    const bad = await h.sql<{ n: string }>(
      'SELECT count(*) AS n FROM bill_inquiry_history WHERE request_time <> uuid_v7_time(request_id)',
    );
    assert.equal(bad[0]!.n, '0');
  });

  test('202 PROCESSING when KOS is slow, finished in the background', async () => {
    await h.scenario({ latencyMs: 2500 });
    try {
      const month = availableMonths(currentMonth('Asia/Seoul'), 5)[4]!;
      const r = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE, inquiryMonth: month } });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.equal(r.body.data.status, 'PROCESSING');
      const id = r.body.data.requestId as string;
      assert.equal((await h.api('GET', `/bills/inquiry/${id}`, { token })).body.data.status, 'PROCESSING');
      let status = 'PROCESSING';
      for (let i = 0; i < 50 && status === 'PROCESSING'; i++) {
        await new Promise((res) => setTimeout(res, 100));
        status = (await h.api('GET', `/bills/inquiry/${id}`, { token })).body.data.status;
      }
      assert.equal(status, 'COMPLETED');
      await h.flush();
      const row = await h.sql<{ status: string }>('SELECT status FROM bill_inquiry_history WHERE request_id = $1', [
        id,
      ]);
      assert.equal(row[0]!.status, 'COMPLETED');
    } finally {
      await h.scenario({ latencyMs: 0 });
    }
  });

  test('404 for lines KOS does not know and months without bills, recorded as FAILED', async () => {
    const unknown = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: UNKNOWN } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'LINE_NOT_FOUND');
    const none = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: NO_BILLS } });
    assert.equal(none.status, 404);
    assert.equal(none.body.error.code, 'BILL_NOT_FOUND');
    await h.flush();
    const rows = await h.sql<{ status: string; n: string }>(
      'SELECT status, count(*) AS n FROM bill_inquiry_history WHERE line_number = ANY($1) GROUP BY status',
      [[UNKNOWN, NO_BILLS]],
    );
    assert.deepEqual(rows, [{ status: 'FAILED', n: '2' }]);
  });

  test('502 when KOS keeps failing (E999), with the retries recorded', async () => {
    await h.scenario({ force: 'systemError' });
    try {
      const r = await h.api('POST', '/bills/inquiry', {
        token,
        body: { lineNumber: LINE, inquiryMonth: availableMonths(currentMonth('Asia/Seoul'), 7)[6] },
      });
      assert.equal(r.status, 502);
      assert.equal(r.body.error.code, 'KOS_ERROR');
      await h.flush();
      const k = await h.sql<{ retry_count: number; result_code: string }>(
        'SELECT k.retry_count, k.result_code FROM kos_inquiry_history k JOIN bill_inquiry_history b ON b.request_id = k.bill_request_id WHERE b.status = $1 AND k.result_code = $2',
        ['FAILED', 'E999'],
      );
      assert.equal(k.length, 1);
      assert.equal(k[0]!.retry_count, h.cfg.systemConfig.kosRetryMaxAttempts);
    } finally {
      await h.scenario({ force: null });
    }
  });

  test('401 without, with a forged and with an expired token', async () => {
    const none = await h.api('GET', '/bills/menu');
    assert.equal(none.status, 401);
    assert.equal(none.body.success, false);
    assert.equal(none.body.error.code, 'UNAUTHORIZED');
    const forged = createSigner({
      key: 'not-the-secret-not-the-secret-123',
      iss: h.cfg.service.jwt.issuer,
      aud: h.cfg.service.jwt.audience,
    })({ sub: 'x', lines: [LINE] });
    assert.equal((await h.api('GET', '/bills/menu', { token: forged })).status, 401);
    const secret = new SecretStore(h.cfg.dataDir).get(h.cfg.service.jwt.secretName);
    const expired = createSigner({ key: secret, iss: h.cfg.service.jwt.issuer, aud: h.cfg.service.jwt.audience })({
      sub: 'x',
      lines: [LINE],
      exp: Math.floor(Date.now() / 1000) - 3600,
    });
    assert.equal((await h.api('GET', '/bills/menu', { token: expired })).status, 401);
    assert.equal((await h.api('POST', '/bills/inquiry', { token: 'garbage', body: { lineNumber: LINE } })).status, 401);
  });

  test("403 for a line the token does not name; 404 for another user's request", async () => {
    const r = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: OTHER } });
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, 'FORBIDDEN');
    assert.equal((await h.api('GET', `/bills/history?lineNumber=${OTHER}`, { token })).status, 403);
    const mine = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE } });
    const stranger = h.token('user-2', [LINE]);
    assert.equal((await h.api('GET', `/bills/inquiry/${mine.body.data.requestId}`, { token: stranger })).status, 404);
  });

  test('bad-input corpus: clear 4xx with the envelope, nothing written', async () => {
    await h.flush();
    const before = await count('bill_inquiry_history');
    const future = (() => {
      const [y, m] = currentMonth('Asia/Seoul').split('-').map(Number);
      return m === 12 ? `${y! + 1}-01` : `${y}-${String(m! + 1).padStart(2, '0')}`;
    })();
    const cases: Array<
      [
        string,
        { method: string; path: string; raw?: string; body?: unknown; headers?: Record<string, string> },
        number,
        string,
      ]
    > = [
      [
        'malformed JSON',
        { method: 'POST', path: '/bills/inquiry', raw: '{"lineNumber": "010-1234' },
        400,
        'MALFORMED_JSON',
      ],
      ['empty JSON body', { method: 'POST', path: '/bills/inquiry', raw: '' }, 400, 'MALFORMED_JSON'],
      [
        'wrong type',
        { method: 'POST', path: '/bills/inquiry', body: { lineNumber: 1012345678 } },
        400,
        'VALIDATION_ERROR',
      ],
      ['array body', { method: 'POST', path: '/bills/inquiry', body: [LINE] }, 400, 'VALIDATION_ERROR'],
      ['missing line', { method: 'POST', path: '/bills/inquiry', body: {} }, 400, 'VALIDATION_ERROR'],
      [
        'bad line',
        { method: 'POST', path: '/bills/inquiry', body: { lineNumber: '010-12-5678' } },
        400,
        'VALIDATION_ERROR',
      ],
      [
        'letters in line',
        { method: 'POST', path: '/bills/inquiry', body: { lineNumber: 'abc-defg-hijk' } },
        400,
        'VALIDATION_ERROR',
      ],
      [
        'bad month',
        { method: 'POST', path: '/bills/inquiry', body: { lineNumber: LINE, inquiryMonth: '2026-13' } },
        400,
        'VALIDATION_ERROR',
      ],
      [
        'KOS-style month',
        { method: 'POST', path: '/bills/inquiry', body: { lineNumber: LINE, inquiryMonth: '202611' } },
        400,
        'VALIDATION_ERROR',
      ],
      [
        'month too old',
        { method: 'POST', path: '/bills/inquiry', body: { lineNumber: LINE, inquiryMonth: '2019-01' } },
        400,
        'MONTH_OUT_OF_RANGE',
      ],
      [
        'future month',
        { method: 'POST', path: '/bills/inquiry', body: { lineNumber: LINE, inquiryMonth: future } },
        400,
        'MONTH_OUT_OF_RANGE',
      ],
      [
        'extra field',
        { method: 'POST', path: '/bills/inquiry', body: { lineNumber: LINE, userId: 'admin' } },
        400,
        'VALIDATION_ERROR',
      ],
      [
        'SQL in line',
        {
          method: 'POST',
          path: '/bills/inquiry',
          body: { lineNumber: "010-1234-5678'; DROP TABLE bill_inquiry_history;--" },
        },
        400,
        'VALIDATION_ERROR',
      ],
      [
        'SQL in month',
        { method: 'POST', path: '/bills/inquiry', body: { lineNumber: LINE, inquiryMonth: "2026-01' OR '1'='1" } },
        400,
        'VALIDATION_ERROR',
      ],
      [
        'oversized body',
        { method: 'POST', path: '/bills/inquiry', raw: JSON.stringify({ lineNumber: LINE, pad: 'x'.repeat(20_000) }) },
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [
        'wrong media type',
        {
          method: 'POST',
          path: '/bills/inquiry',
          raw: 'lineNumber=010-1234-5678',
          headers: { 'content-type': 'application/xml' },
        },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      ['malformed request id', { method: 'GET', path: '/bills/inquiry/not-a-uuid' }, 404, 'NOT_FOUND'],
      [
        'SQL in request id',
        { method: 'GET', path: `/bills/inquiry/${encodeURIComponent("1' OR '1'='1")}` },
        404,
        'NOT_FOUND',
      ],
      ['unknown request id', { method: 'GET', path: `/bills/inquiry/${uuidv7()}` }, 404, 'NOT_FOUND'],
      ['history page size > 100', { method: 'GET', path: '/bills/history?size=101' }, 400, 'VALIDATION_ERROR'],
      ['history page 0', { method: 'GET', path: '/bills/history?page=0' }, 400, 'VALIDATION_ERROR'],
      [
        'history bad status',
        { method: 'GET', path: `/bills/history?status=${encodeURIComponent("COMPLETED' OR 1=1--")}` },
        400,
        'VALIDATION_ERROR',
      ],
      ['history bad date', { method: 'GET', path: '/bills/history?startDate=2026-02-30x' }, 400, 'VALIDATION_ERROR'],
      ['unknown route', { method: 'GET', path: '/bills/nothing-here' }, 404, 'NOT_FOUND'],
    ];
    for (const [name, req, status, code] of cases) {
      const r = await h.api(req.method, req.path, { token, raw: req.raw, body: req.body, headers: req.headers });
      assert.equal(r.status, status, `${name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.success, false, name);
      assert.equal(r.body.error.code, code, name);
      assert.equal(typeof r.body.error.message, 'string', name);
    }
    await h.flush();
    assert.equal(await count('bill_inquiry_history'), before, 'bad input writes nothing');
    assert.equal((await h.api('GET', '/nowhere')).body.error.code, 'NOT_FOUND', '404 outside /bills is enveloped too');
  });

  test("history: paged newest first, filtered by status and date, only the caller's rows", async () => {
    for (let i = 0; i < 3; i++) await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE } });
    await h.flush();
    const all = await h.api('GET', '/bills/history?size=2', { token });
    assert.equal(all.status, 200);
    const p = all.body.data.pagination;
    assert.equal(p.pageSize, 2);
    assert.ok(p.totalItems >= 5);
    assert.equal(p.totalPages, Math.ceil(p.totalItems / 2));
    assert.equal(p.hasNext, true);
    assert.equal(p.hasPrevious, false);
    const times = all.body.data.items.map((i: { requestTime: string }) => i.requestTime);
    assert.ok(times[0] >= times[1], 'newest first');
    const page2 = await h.api('GET', '/bills/history?size=2&page=2', { token });
    assert.equal(page2.body.data.pagination.hasPrevious, true);
    assert.notEqual(page2.body.data.items[0].requestId, all.body.data.items[0].requestId);
    const failed = await h.api('GET', '/bills/history?status=FAILED&size=100', { token });
    assert.ok(failed.body.data.items.length > 0);
    assert.ok(failed.body.data.items.every((i: { status: string }) => i.status === 'FAILED'));
    const past = await h.api('GET', '/bills/history?startDate=2020-01-01&endDate=2020-12-31', { token });
    assert.equal(past.body.data.pagination.totalItems, 0);
    const other = await h.api('GET', '/bills/history', { token: h.token('user-3', [LINE]) });
    assert.equal(other.body.data.pagination.totalItems, 0, "another user's history is not shown");
  });

  test('a phonebill Auth token (HS512) reads the menu and its own line, is refused another line; a refresh token is refused', async () => {
    const pb = issueToken(h.cfg, { format: 'phonebill', userId: 'testuser01', customerId: 'CUST001', lines: [LINE] });
    const menu = await h.api('GET', '/bills/menu', { token: pb });
    assert.equal(menu.status, 200, JSON.stringify(menu.body));
    assert.deepEqual(menu.body.data.customerInfo, { customerId: 'CUST001', lineNumber: LINE });
    const own = await h.api('POST', '/bills/inquiry', { token: pb, body: { lineNumber: LINE } });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.data.status, 'COMPLETED');
    assert.equal((await h.api('GET', `/bills/inquiry/${own.body.data.requestId}`, { token: pb })).status, 200);
    await h.flush();
    assert.equal((await h.api('GET', '/bills/history', { token: pb })).body.data.pagination.totalItems, 1);
    const other = await h.api('POST', '/bills/inquiry', { token: pb, body: { lineNumber: OTHER } });
    assert.equal(other.status, 403);
    assert.equal(other.body.error.code, 'FORBIDDEN');
    const refresh = createSigner({
      key: phonebillKey(h.cfg),
      algorithm: 'HS512',
      iss: 'phonebill-auth-service',
      sub: 'testuser01',
      expiresIn: 86_400_000,
    })({ userId: 'testuser01', type: 'REFRESH' });
    const r = await h.api('GET', '/bills/menu', { token: refresh });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'UNAUTHORIZED');
  });

  test('token CLI prints a token (alone on the last line) that the service accepts', async () => {
    const r = await cli(['--data-dir', h.cfg.dataDir, 'token', '--user', 'cli-user', '--line', '01012345678']);
    assert.equal(r.code, 0, r.stderr);
    const last = r.stdout.trim().split('\n').at(-1)!;
    assert.match(last, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const menu = await h.api('GET', '/bills/menu', { token: last });
    assert.equal(menu.status, 200);
    assert.equal(menu.body.data.customerInfo.lineNumber, LINE, 'digits-only line normalized to 010-1234-5678');
    const bad = await cli(['--data-dir', h.cfg.dataDir, 'token', '--user', 'u', '--line', '12345']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /not a phone line number/);
  });
});
