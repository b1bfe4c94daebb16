import assert from 'node:assert/strict';
import { test } from 'node:test';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { startServiceHarness } from './helpers/service.js';

const LINES = ['010-4444-1111', '010-4444-2222'];
const h = await startServiceHarness();
const token = h.token('restart-user', LINES);
const months = availableMonths(currentMonth('Asia/Seoul'), 3);

test('history survives a primary restart mid-load: every acknowledged request has its row', async () => {
  // Warm the in-process cache so most requests need neither KOS nor the database.
  for (const l of LINES)
    for (const m of months)
      assert.equal(
        (await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: l, inquiryMonth: m } })).status,
        200,
      );
  const acked: string[] = [];
  const statuses = new Map<number, number>();
  let running = true;
  const worker = async (i: number) => {
    for (let n = 0; running; n++) {
      const r = await h
        .api('POST', '/bills/inquiry', { token, body: { lineNumber: LINES[(i + n) % 2], inquiryMonth: months[n % 3] } })
        .catch(() => undefined);
      if (!r) continue;
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status === 200 || r.status === 202) acked.push(r.body.data.requestId);
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, (_, i) => worker(i)));
  await new Promise((r) => setTimeout(r, 700));
  await h.primary.stop('fast');
  const duringOutage = acked.length;
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(acked.length > duringOutage, 'cache hits are still answered while the database is down');
  assert.ok(h.service.runtime.historyStats().failedFlushes > 0, 'flushes failed during the outage');
  await h.primary.start();
  await new Promise((r) => setTimeout(r, 700));
  running = false;
  await load;

  const deadline = Date.now() + 20_000;
  while (h.service.runtime.historyStats().queued > 0 && Date.now() < deadline) {
    await h.flush();
    await new Promise((r) => setTimeout(r, 100));
  }
  const found = await h.sql<{ n: string }>(
    'SELECT count(*) AS n FROM bill_inquiry_history WHERE request_id = ANY($1)',
    [acked],
  );
  assert.equal(
    Number(found[0]!.n),
    acked.length,
    `all ${acked.length} acknowledged requests are in bill_inquiry_history (statuses ${JSON.stringify([...statuses])})`,
  );
  assert.equal((await h.api('GET', '/ready')).status, 200, 'the service reconnected by itself');
});
