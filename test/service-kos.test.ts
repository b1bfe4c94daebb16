import assert from 'node:assert/strict';
import { test } from 'node:test';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { startServiceHarness } from './helpers/service.js';

const LINE = '010-3333-4444';
const h = await startServiceHarness({
  overrides: {
    systemConfig: {
      circuitFailureThreshold: 3,
      kosRetryMaxAttempts: 0,
      circuitRecoveryTimeoutMs: 1000,
      circuitSuccessThreshold: 2,
    },
  },
});
const token = h.token('breaker-user', [LINE]);
const months = availableMonths(currentMonth('Asia/Seoul'), 24);
let next = 0;
/** A month not asked before, so the cache never answers. */
const inquire = () =>
  h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE, inquiryMonth: months[next++] } });
const setConfig = (key: string, value: string) =>
  h.sql('UPDATE system_config SET config_value = $2 WHERE config_key = $1', [key, value]);

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the breaker opens after the configured failures (503, KOS not called) and closes after recovery', async () => {
  const kosCalls: string[] = [];
  h.service.runtime.events.on('kosCall', (e: { outcome: string }) => kosCalls.push(e.outcome));
  await h.scenario({ httpError: true });
  for (let i = 0; i < 3; i++) {
    assert.equal(h.service.runtime.breakerState(), 'CLOSED', `still closed before failure ${i + 1}`);
    const r = await inquire();
    assert.equal(r.status, 502, JSON.stringify(r.body));
  }
  assert.equal(h.service.runtime.breakerState(), 'OPEN');
  const callsWhenOpen = h.kos.calls.bill;
  const rejected = await inquire();
  assert.equal(rejected.status, 503);
  assert.equal(rejected.body.error.code, 'SERVICE_UNAVAILABLE');
  assert.equal(h.kos.calls.bill, callsWhenOpen, 'an open breaker does not call KOS');
  assert.equal((await h.api('GET', '/ready')).body.data.breaker, 'OPEN');
  assert.deepEqual(kosCalls, ['failure', 'failure', 'failure', 'rejected'], "runtime.events 'kosCall' for monitoring");

  await h.flush();
  const recorded = await h.sql<{ circuit_breaker_state: string; n: string }>(
    'SELECT circuit_breaker_state, count(*) AS n FROM kos_inquiry_history GROUP BY 1 ORDER BY 1',
  );
  assert.deepEqual(
    recorded,
    [
      { circuit_breaker_state: 'CLOSED', n: '2' },
      { circuit_breaker_state: 'OPEN', n: '2' },
    ],
    'each call recorded with the breaker state after it',
  );

  // KOS recovers; after the recovery timeout a trial goes through; success threshold 2 closes it.
  await h.scenario({ httpError: false });
  await new Promise((r) => setTimeout(r, 1100));
  const trial = await inquire();
  assert.equal(trial.status, 200);
  assert.equal(h.service.runtime.breakerState(), 'HALF_OPEN', 'one success of two');
  assert.equal((await inquire()).status, 200);
  assert.equal(h.service.runtime.breakerState(), 'CLOSED');
});

test('system_config changes apply live: available months, breaker threshold, read timeout (504)', async () => {
  await setConfig('bill.inquiry.available.months', '2');
  await until(
    'menu with 2 months',
    async () => (await h.api('GET', '/bills/menu', { token })).body.data.availableMonths.length === 2,
  );
  const old = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE, inquiryMonth: months[2] } });
  assert.equal(old.status, 400);
  assert.equal(old.body.error.code, 'MONTH_OUT_OF_RANGE');
  await setConfig('bill.inquiry.available.months', '24');
  await until('24 months again', () => h.service.runtime.live.settings.availableMonths === 24);

  await setConfig('kos.read.timeout.ms', '300');
  await setConfig('circuit.breaker.failure.threshold', '1');
  await until(
    'new thresholds',
    () =>
      h.service.runtime.live.settings.kosReadTimeoutMs === 300 &&
      h.service.runtime.live.settings.failureThreshold === 1,
  );
  await h.scenario({ timeoutRate: 1, hangMs: 10_000 });
  const started = Date.now();
  const slow = await inquire();
  assert.equal(slow.status, 504, JSON.stringify(slow.body));
  assert.equal(slow.body.error.code, 'KOS_TIMEOUT');
  assert.ok(Date.now() - started < 1400, 'the 300 ms read timeout applied, not the 5 s one');
  assert.equal(h.service.runtime.breakerState(), 'OPEN', 'threshold 1: one failure opens');
  await h.scenario({ timeoutRate: 0 });
  await h.flush();
  const timeouts = await h.sql<{ result_code: string | null; error_detail: string }>(
    "SELECT k.result_code, k.error_detail FROM bill_inquiry_history b JOIN kos_inquiry_history k ON k.bill_request_id = b.request_id WHERE b.status = 'TIMEOUT'",
  );
  assert.equal(timeouts.length, 1, 'the timed-out inquiry is recorded as TIMEOUT with its KOS call');
  assert.match(timeouts[0]!.error_detail, /300 ms/);
});
