import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { DeadLetterFile } from '../src/service/history/deadLetter.js';
import { replayDeadLetters } from '../src/service/history/replay.js';
import { cli, json } from './helpers/cli.js';
import { startServiceHarness } from './helpers/service.js';

const GOOD_LINES = ['010-3333-1111', '010-3333-2222'];
const POISON_LINE = '010-3333-7777';
const h = await startServiceHarness();
const good = h.token('good-user', GOOD_LINES);
const poison = h.token('poison-user', [POISON_LINE]);
const months = availableMonths(currentMonth('Asia/Seoul'), 3);
const deadLetters = new DeadLetterFile(h.cfg.dataDir);
const history = () => h.service.runtime.historyStats();

async function drain(timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  while (history().queued > 0 && Date.now() - started < timeoutMs) {
    await h.flush();
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

async function inquire(token: string, lineNumber: string, inquiryMonth: string) {
  return h.api('POST', '/bills/inquiry', { token, body: { lineNumber, inquiryMonth } });
}

/** Good requests from `workers` loops until `running()` is false; returns the acknowledged request ids. */
async function load(workers: number, running: () => boolean): Promise<string[]> {
  const acked: string[] = [];
  await Promise.all(
    Array.from({ length: workers }, async (_, i) => {
      for (let n = 0; running(); n++) {
        const r = await inquire(good, GOOD_LINES[(i + n) % 2]!, months[n % 3]!);
        if (r.status === 200 || r.status === 202) acked.push(r.body.data.requestId);
      }
    }),
  );
  return acked;
}

const countIn = async (table: 'bill_inquiry_history' | 'kos_inquiry_history', column: string, ids: string[]) =>
  Number((await h.sql<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ANY($1)`, [ids]))[0]!.n);

test('a row the database refuses is isolated to the dead-letter file; every good row is written; history replay brings it back', async (t) => {
  for (const l of GOOD_LINES) for (const m of months) assert.equal((await inquire(good, l, m)).status, 200);
  // A rule only the poison user's rows break: a row-specific check violation (SQLSTATE 23514).
  await h.sql(`ALTER TABLE bill_inquiry_history ADD CONSTRAINT test_no_poison CHECK (user_id <> 'poison-user')`);

  let running = true;
  const loading = load(6, () => running);
  await new Promise((r) => setTimeout(r, 300));
  // A cache miss: the refused bill row has a KOS row, which must go with it (foreign key).
  const bad = await inquire(poison, POISON_LINE, months[0]!);
  assert.equal(bad.status, 200, 'the request itself is answered; history is written later');
  const badAt = Date.now();
  while (history().deadLettered === 0 && Date.now() - badAt < 10_000) await new Promise((r) => setTimeout(r, 20));
  const isolatedMs = Date.now() - badAt;
  await new Promise((r) => setTimeout(r, 500));
  running = false;
  const acked = await loading;
  const drainMs = await drain();
  t.diagnostic(
    `bad row isolated ${isolatedMs} ms after its request; ${acked.length} good requests, queue drained ${drainMs} ms after the load stopped`,
  );

  assert.equal(history().queued, 0, 'the queue drains: the bad row blocks nothing');
  assert.equal(
    await countIn('bill_inquiry_history', 'request_id', acked),
    acked.length,
    `every acknowledged good request (${acked.length}) has its row`,
  );
  assert.equal(await countIn('bill_inquiry_history', 'request_id', [bad.body.data.requestId]), 0);

  const entries = deadLetters.read();
  assert.equal(entries.length, 1, 'exactly the bad request is dead-lettered');
  const [entry] = entries;
  assert.equal(entry!.bill?.request_id, bad.body.data.requestId);
  assert.equal(entry!.sqlstate, '23514');
  assert.match(entry!.message, /test_no_poison/);
  assert.equal(entry!.kos.length, 1, 'its KOS row went with it');
  assert.equal(entry!.kos[0]!.bill_request_id, bad.body.data.requestId);
  assert.match(entry!.bill!.bill_info!, /^gcm1\.k\d{14}\./, 'bill info stays encrypted');
  assert.match(entry!.kos[0]!.kos_data!, /^gcm1\.k\d{14}\./, 'KOS data stays encrypted');
  const text = JSON.stringify(entries);
  const bill = bad.body.data.billInfo;
  for (const plain of [bill.productName, bill.contractInfo, bill.usage.voice, String(bill.totalAmount)])
    assert.ok(!text.includes(plain), `no plaintext bill data ("${plain}") on disk`);
  assert.equal(statSync(deadLetters.path).mode & 0o777, 0o600);
  assert.equal(statSync(deadLetters.dir).mode & 0o777, 0o700);

  const ready = await h.api('GET', '/ready');
  assert.equal(ready.body.data.history.deadLettered, 2, '/ready counts the dead-lettered rows (bill + KOS)');
  assert.equal(ready.body.data.history.queued, 0);

  const env = { BILL_INQUIRY__CLUSTER__PORT: String(h.cfg.cluster.port) };
  const deadLetterAlert = async () =>
    json<{ firing: string[] }>(
      await cli(['--data-dir', h.cfg.dataDir, '--json', 'monitor', 'alerts'], { env }),
    ).firing.includes('historyDeadLetter');
  assert.equal(await deadLetterAlert(), true, 'monitor alerts reports the dead-lettered rows');
  const still = await cli(['--data-dir', h.cfg.dataDir, '--json', 'history', 'replay'], { env });
  assert.equal(still.code, 1, `replay fails while the cause is not fixed: ${still.stderr}`);
  assert.deepEqual([json(still).replayed, json(still).remaining], [0, 2]);
  assert.equal(deadLetters.read().length, 1, 'the refused entry stays in the file');

  await h.sql(`ALTER TABLE bill_inquiry_history DROP CONSTRAINT test_no_poison`);
  const fixed = await cli(['--data-dir', h.cfg.dataDir, '--json', 'history', 'replay'], { env });
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.deepEqual([json(fixed).replayed, json(fixed).remaining], [2, 0]);
  assert.equal(deadLetters.read().length, 0, 'the file is empty after a full replay');
  assert.equal(await deadLetterAlert(), false, 'the alert clears after the replay');
  assert.equal(await countIn('bill_inquiry_history', 'request_id', [bad.body.data.requestId]), 1);
  assert.equal(await countIn('kos_inquiry_history', 'bill_request_id', [bad.body.data.requestId]), 1);
  const back = await h.api('GET', `/bills/inquiry/${bad.body.data.requestId}`, { token: poison });
  assert.equal(back.status, 200);
  assert.deepEqual(back.body.data.billInfo, bill, 'the replayed row decrypts through the API');
});

test('a month without partition is retried, not dead-lettered; rows arrive once it is back', async () => {
  const [current] = await h.sql<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'kos_inquiry_history'::regclass AND c.oid = (SELECT tableoid FROM kos_inquiry_history ORDER BY request_time DESC LIMIT 1)`,
  );
  assert.ok(current, 'the current month has a KOS partition');
  await h.sql(`ALTER TABLE kos_inquiry_history DETACH PARTITION ${current.name}`);
  const failedBefore = history().failedFlushes;
  const ids: string[] = [];
  try {
    for (let i = 0; i < 6; i++) {
      const r = await inquire(h.token('partition-user', [`010-4545-100${i}`]), `010-4545-100${i}`, months[1]!);
      assert.equal(r.status, 200);
      ids.push(r.body.data.requestId);
    }
    const until = Date.now() + 5000;
    while (history().failedFlushes < failedBefore + 2 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(history().failedFlushes >= failedBefore + 2, 'flushes fail while the partition is missing');
    assert.ok(history().queued >= ids.length, 'the rows stay queued');
    assert.equal(history().deadLettered, 2, 'nothing more is dead-lettered');
  } finally {
    await h.sql(`ALTER TABLE kos_inquiry_history ATTACH PARTITION ${current.name} ${current.bound}`);
  }
  await drain();
  assert.equal(history().queued, 0);
  assert.equal(await countIn('bill_inquiry_history', 'request_id', ids), ids.length);
  assert.equal(await countIn('kos_inquiry_history', 'bill_request_id', ids), ids.length);
  assert.equal(deadLetters.read().length, 0, 'the dead-letter file stays empty');
});

test('a backlog of 5000 rows with one bad row in the middle drains; only that row is dead-lettered', async (t) => {
  await h.sql(
    `ALTER TABLE bill_inquiry_history ADD CONSTRAINT test_no_poison_backlog CHECK (user_id <> 'poison-backlog')`,
  );
  const writer = h.service.runtime.history;
  const ids: string[] = [];
  const before = history().deadLettered;
  const journaled: Array<Promise<void>> = [];
  for (let i = 0; i < 5000; i++) {
    const requestId = uuidv7();
    ids.push(requestId);
    const requestTime = new Date(parseInt(requestId.slice(0, 8) + requestId.slice(9, 13), 16));
    const userId = i === 2500 ? 'poison-backlog' : 'backlog-user';
    const pending = writer.enqueue({
      requestId,
      userId,
      lineNumber: GOOD_LINES[0]!,
      inquiryMonth: months[0]!,
      requestTime,
      processTime: requestTime,
      status: 'FAILED',
      resultSummary: 'backlog',
      billInfo: null,
      errorMessage: null,
    });
    if (pending) journaled.push(pending);
  }
  await Promise.all(journaled);
  const drainMs = await drain();
  t.diagnostic(`5000 queued rows with one bad row written in ${drainMs} ms`);
  assert.equal(history().queued, 0);
  assert.equal(history().deadLettered - before, 1);
  assert.equal(await countIn('bill_inquiry_history', 'request_id', ids), 4999);
  await h.sql(`ALTER TABLE bill_inquiry_history DROP CONSTRAINT test_no_poison_backlog`);
  const r = await replayDeadLetters(h.cfg, h.primary.target(h.cfg.database.name));
  assert.deepEqual([r.replayed, r.remaining], [1, 0]);
  assert.equal(await countIn('bill_inquiry_history', 'request_id', ids), 5000);
});
