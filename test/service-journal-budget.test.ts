import assert from 'node:assert/strict';
import { test } from 'node:test';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { cli, json } from './helpers/cli.js';
import { startServiceHarness } from './helpers/service.js';

/** A tiny disk budget: a cache-hit row journals ~300 bytes, so ~120 rows fill 90 % of it. */
const BUDGET = 40_000;
const LINE = '010-7272-1000';
const h = await startServiceHarness({ overrides: { service: { history: { journal: { maxBytes: BUDGET } } } } });
const token = h.token('budget-user', [LINE]);
const month = availableMonths(currentMonth('Asia/Seoul'), 1)[0]!;
const inquire = () => h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE, inquiryMonth: month } });
const env = {
  BILL_INQUIRY__CLUSTER__PORT: String(h.cfg.cluster.port),
  BILL_INQUIRY__SERVICE__HISTORY__JOURNAL__MAX_BYTES: String(BUDGET),
};
const journalAlert = async () =>
  json<{ firing: string[] }>(
    await cli(['--data-dir', h.cfg.dataDir, '--json', 'monitor', 'alerts'], { env }),
  ).firing.includes('historyJournal');

test('near its disk budget the journal turns new inquiries away with 503 and the severity-1 alert fires; both clear once the database has the rows', async () => {
  assert.equal((await inquire()).status, 200, 'warm-up: the bill is cached');
  await h.flush();
  await h.primary.stop('fast');
  assert.equal((await h.api('GET', '/ready')).status, 503, 'not ready: the primary is down');
  assert.equal(
    (await h.api('GET', '/accepting')).status,
    200,
    'but still taking inquiries (journal): stays in the pool',
  );
  const acked: string[] = [];
  let refused: Awaited<ReturnType<typeof inquire>> | undefined;
  for (let i = 0; i < 2000 && !refused; i++) {
    const r = await inquire();
    if (r.status === 200) acked.push(r.body.data.requestId as string);
    else refused = r;
  }
  assert.ok(refused, 'the journal filled up');
  assert.equal(refused.status, 503);
  assert.equal(refused.body.error.code, 'SERVICE_UNAVAILABLE');
  assert.ok(acked.length > 20, `requests were answered until then (${acked.length})`);
  const ready = await h.api('GET', '/ready');
  const journal = ready.body.data.history.journal;
  assert.equal(journal.accepting, false);
  const full = await h.api('GET', '/accepting');
  assert.equal(full.status, 503, 'a full journal takes the instance out of the pool');
  assert.equal(full.body.error.code, 'SERVICE_UNAVAILABLE');
  assert.ok(journal.bytes >= BUDGET * 0.9, `${journal.bytes} bytes journaled`);
  assert.equal(journal.outstandingRows, acked.length, 'every acknowledged row waits on disk');
  assert.equal(await journalAlert(), true, 'monitor alerts reports the journal filling its budget');

  await h.primary.start();
  const until = Date.now() + 30_000;
  for (;;) {
    const r = await h.api('GET', '/ready');
    if (r.status === 200 && r.body.data.history.journal.outstandingRows === 0) break;
    if (Date.now() > until) assert.fail(`the journal did not drain: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal((await inquire()).status, 200, 'accepted again');
  assert.equal((await h.api('GET', '/accepting')).status, 200, 'back in the pool');
  const stored = await h.sql<{ n: string }>(
    'SELECT count(*) AS n FROM bill_inquiry_history WHERE request_id = ANY($1)',
    [acked],
  );
  assert.equal(Number(stored[0]!.n), acked.length, 'nothing acknowledged was dropped');
  assert.equal(await journalAlert(), false, 'the alert clears');
});
