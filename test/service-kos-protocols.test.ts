import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KosProtocolName } from '../src/kos/protocol.js';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { startServiceHarness } from './helpers/service.js';

/**
 * The service against the bundled mock speaking each KOS protocol: the same
 * API answers whatever the wire says — miss, unknown line, no data, system
 * error, timeout, breaker — and kos_inquiry_history keeps KOS's own codes.
 */
const CODES: Record<KosProtocolName, Record<'ok' | 'unknown' | 'noData' | 'systemError', string>> = {
  design: { ok: '0000', unknown: 'E001', noData: 'E002', systemError: 'E999' },
  'phonebill-kos-mock': { ok: '0000', unknown: '1001', noData: '1003', systemError: '9999' },
};

const OK = '010-8765-4321'; // a kos-mock customer (CUST000002); any line succeeds in the design
const UNKNOWN = '010-5555-0000';
const NO_DATA = '010-1234-5679'; // the design's no-data scenario line
const SYSTEM_ERROR = '010-1234-5680'; // the design's system-error line (1 s)
const SLOW = '010-1234-5681'; // the design's 5 s line
const SUSPENDED = '010-0000-0000'; // the kos-mock's suspended line

for (const protocol of ['design', 'phonebill-kos-mock'] as KosProtocolName[]) {
  describe(`service with the ${protocol} KOS protocol`, async () => {
    const h = await startServiceHarness({
      overrides: {
        // The 5 s line times out at 2.5 s, before 202 PROCESSING (4 s); the mock's system-error line
        // answers after 1 s, well inside the timeout even on a loaded machine (at 1 s the two raced).
        service: { kosProtocol: protocol, processingAfterMs: 4000 },
        systemConfig: { kosRetryMaxAttempts: 0, kosReadTimeoutMs: 2500, circuitFailureThreshold: 4 },
      },
    });
    const token = h.token('proto-user', [OK, UNKNOWN, NO_DATA, SYSTEM_ERROR, SLOW, SUSPENDED]);
    const inquire = (lineNumber: string, inquiryMonth?: string) =>
      h.api('POST', '/bills/inquiry', { token, body: { lineNumber, inquiryMonth } });
    // Months not asked before, so the cache never answers.
    const fresh = availableMonths(currentMonth('Asia/Seoul'), 24).slice(3);
    const kosRow = async (requestId: string) => {
      await h.flush();
      return (
        await h.sql<{ result_code: string | null; raw: string | null; retry_count: number }>(
          'SELECT result_code, kos_data_json::text AS raw, retry_count FROM kos_inquiry_history WHERE bill_request_id = $1',
          [requestId],
        )
      )[0];
    };
    const requestIdOf = async (line: string) => {
      await h.flush();
      return (
        await h.sql<{ request_id: string }>(
          'SELECT request_id FROM bill_inquiry_history WHERE line_number = $1 ORDER BY request_time DESC LIMIT 1',
          [line],
        )
      )[0]!.request_id;
    };

    test('menu: the customer from KOS (its own lookup, or the customerInfo of a bill)', async () => {
      const menu = await h.api('GET', '/bills/menu', { token: h.token('menu-user', [OK]) });
      assert.equal(menu.status, 200, JSON.stringify(menu.body));
      assert.deepEqual(menu.body.data.customerInfo, { customerId: 'CUST000002', lineNumber: OK });
      assert.equal(menu.body.data.lines[0].customerName, '이샘플');
    });

    test('a miss: the bill mapped from the wire form, KOS data kept encrypted', async () => {
      const r = await inquire(OK);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const bill = r.body.data.billInfo;
      assert.equal(bill.billingMonth, currentMonth('Asia/Seoul'));
      assert.equal(bill.productName, '5G 스탠다드 플랜');
      assert.equal(typeof bill.totalAmount, 'number');
      assert.ok(Array.isArray(bill.discountInfo));
      const row = await kosRow(r.body.data.requestId);
      assert.equal(row?.result_code, CODES[protocol].ok);
      assert.match(row.raw!, /^"gcm1\./);
    });

    test('unknown line → 404 LINE_NOT_FOUND, no data → 404 BILL_NOT_FOUND: answers, not retried', async () => {
      const unknown = await inquire(UNKNOWN);
      assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'LINE_NOT_FOUND']);
      const none = await inquire(NO_DATA);
      assert.deepEqual([none.status, none.body.error.code], [404, 'BILL_NOT_FOUND']);
      for (const [line, code] of [
        [UNKNOWN, CODES[protocol].unknown],
        [NO_DATA, CODES[protocol].noData],
      ] as const) {
        const row = await kosRow(await requestIdOf(line));
        assert.deepEqual([row?.result_code, row?.retry_count], [code, 0]);
      }
      const suspended = await inquire(SUSPENDED);
      // The design has no code for a suspended line: its KOS says "unknown" (E001).
      assert.deepEqual(
        [suspended.status, suspended.body.error.code],
        protocol === 'design' ? [404, 'LINE_NOT_FOUND'] : [409, 'LINE_INACTIVE'],
      );
      assert.equal(h.service.runtime.breakerState(), 'CLOSED');
    });

    test('system error → 502 KOS_ERROR; the 5 s line → 504 KOS_TIMEOUT; then the breaker opens → 503', async () => {
      const failed = await inquire(SYSTEM_ERROR);
      assert.deepEqual([failed.status, failed.body.error.code], [502, 'KOS_ERROR'], JSON.stringify(failed.body));
      assert.equal((await kosRow(await requestIdOf(SYSTEM_ERROR)))?.result_code, CODES[protocol].systemError);
      const slow = await inquire(SLOW);
      assert.deepEqual([slow.status, slow.body.error.code], [504, 'KOS_TIMEOUT'], JSON.stringify(slow.body));
      await h.scenario({ force: 'systemError' });
      try {
        let answer = 0;
        let tries = 0;
        // Threshold 4 at ≥ 50 % failed in the window: the answers above count as calls that went well.
        while (answer !== 503 && tries < 12) answer = (await inquire(OK, fresh[tries++])).status;
        assert.equal(answer, 503, `open after ${tries} forced failures`);
        assert.equal(h.service.runtime.breakerState(), 'OPEN');
        const calls = h.kos.calls.bill;
        assert.equal((await inquire(OK, fresh[tries])).status, 503);
        assert.equal(h.kos.calls.bill, calls, 'an open breaker does not call KOS');
      } finally {
        await h.scenario({ force: null });
      }
    });
  });
}
