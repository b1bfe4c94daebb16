import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import { queryOnce } from '../src/db/withClient.js';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { freePort } from '../src/system/freePort.js';
import { cli, localServeEnv, startCli, type RunningCli } from './helpers/cli.js';
import { superuserOn, tempDataDir } from './helpers/tempCluster.js';

const LINE = '010-1234-5678';
const OTHER = '010-2222-3333';
const UNKNOWN = '010-5555-0000'; // KOS mock: E001
const WORKERS = 2;

const dataDir = tempDataDir();
const [port, pgPort] = [await freePort(), await freePort()];
const env = localServeEnv(pgPort, {
  BILL_INQUIRY__SERVICE__PROCESSING_AFTER_MS: '1500',
  BILL_INQUIRY__SERVICE__HISTORY__FLUSH_INTERVAL_MS: '50',
  BILL_INQUIRY__SERVICE__KOS_MOCK__LATENCY_MS: '0',
});
const base = `http://127.0.0.1:${port}`;
const acked: string[] = [];
let serve: RunningCli;
let kosUrl: string;

const token = async (user: string, line: string) =>
  (await cli(['--data-dir', dataDir, 'token', '--user', user, '--line', line], { env })).stdout
    .trim()
    .split('\n')
    .at(-1)!;
async function api(method: string, path: string, o: { token?: string; body?: unknown; raw?: string } = {}) {
  const headers: Record<string, string> = {};
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  const body = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (method === 'POST' && path === '/bills/inquiry' && json?.data?.requestId)
    acked.push(json.data.requestId as string);
  return { status: res.status, body: json };
}
const kosCalls = async () =>
  ((await fetch(`${kosUrl}/kos/admin/scenario`).then((r) => r.json())) as { calls: Record<string, number> }).calls;
const sql = async (text: string, params: unknown[] = []) =>
  queryOnce(superuserOn(dataDir, pgPort, 'bill_inquiry_db'), text, params);

before(async () => {
  // The cluster is started apart from serve, so the history the workers flushed can be checked after serve exits.
  const up = await cli(['--data-dir', dataDir, 'cluster', 'up'], { env });
  assert.equal(up.code, 0, up.stderr);
  serve = startCli(['--data-dir', dataDir, 'serve', '--port', String(port), '--workers', String(WORKERS)], { env });
  await serve.waitFor('Ctrl-C');
  kosUrl = /KOS mock on (http:\/\/\S+)/.exec(serve.stderr)![1]!;
});
after(async () => {
  await serve?.stop();
  await cli(['--data-dir', dataDir, 'cluster', 'down'], { env });
});

describe('serve --workers 2: the API through node:cluster workers sharing one port', () => {
  test('two processes, each with its own pools; the pool budget is said at start', async () => {
    assert.match(
      serve.stderr,
      /connection budget: 3 instance\(s\) × 32 2 workers × \(pool 15 \+ 1 listener\) \+ 10 reserve = 106 of 197 .*alert at 180/,
    );
    assert.match(serve.stderr, /2 service workers listening on http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(workerPids().length, WORKERS);
    const listeners = await sql(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'bill-inquiry-service-listen'`,
    );
    assert.equal(listeners[0]!.n, WORKERS, 'one notification listener per worker');
  });

  test('health, readiness, OpenAPI', async () => {
    assert.equal((await api('GET', '/health')).status, 200);
    const ready = await api('GET', '/ready');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.data.topology, 'plain');
    assert.equal((await fetch(`${base}/docs/json`)).status, 200);
  });

  test('menu, inquiry from KOS, then a cache hit whichever worker answers; every result readable at once from any worker', async () => {
    const t = await token('w-user', LINE);
    const menu = await api('GET', '/bills/menu', { token: t });
    assert.equal(menu.status, 200);
    assert.equal(menu.body.data.customerInfo.lineNumber, LINE);
    const month = availableMonths(currentMonth('Asia/Seoul'), 3)[2]!;
    const first = await api('POST', '/bills/inquiry', { token: t, body: { lineNumber: LINE, inquiryMonth: month } });
    assert.equal(first.status, 200);
    assert.equal(first.body.data.status, 'COMPLETED');
    await sleep(300); // the shared bill_info_cache row is written with the next flush
    const calls = (await kosCalls())['/kos/bill/inquiry'];
    for (let i = 0; i < 6; i++) {
      const again = await api('POST', '/bills/inquiry', { token: t, body: { lineNumber: LINE, inquiryMonth: month } });
      assert.equal(again.status, 200);
      assert.deepEqual(again.body.data.billInfo, first.body.data.billInfo);
      // Read-your-writes across workers: the other worker finds the row once it is flushed.
      const got = await api('GET', `/bills/inquiry/${again.body.data.requestId}`, { token: t });
      assert.equal(got.status, 200, JSON.stringify(got.body));
      assert.equal(got.body.data.status, 'COMPLETED');
    }
    assert.equal(
      (await kosCalls())['/kos/bill/inquiry'],
      calls,
      'both workers served from cache: KOS not called again',
    );
  });

  test('202 PROCESSING when KOS is slow; the result completes in the background and is seen from any worker', async () => {
    await fetch(`${kosUrl}/kos/admin/scenario`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 2500 }),
    });
    try {
      const t = await token('w-user', LINE);
      const month = availableMonths(currentMonth('Asia/Seoul'), 5)[4]!;
      const r = await api('POST', '/bills/inquiry', { token: t, body: { lineNumber: LINE, inquiryMonth: month } });
      assert.equal(r.status, 202);
      let status = 'PROCESSING';
      for (let i = 0; i < 60 && status !== 'COMPLETED'; i++) {
        await sleep(100);
        status = (await api('GET', `/bills/inquiry/${r.body.data.requestId}`, { token: t })).body?.data?.status;
      }
      assert.equal(status, 'COMPLETED');
    } finally {
      await fetch(`${kosUrl}/kos/admin/scenario`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ latencyMs: 0 }),
      });
    }
  });

  test('401, 403, 400 and 404 with the error envelope', async () => {
    assert.equal((await api('GET', '/bills/menu')).status, 401);
    assert.equal((await api('GET', '/bills/menu', { token: 'not.a.token' })).status, 401);
    const t = await token('w-user', LINE);
    assert.equal((await api('POST', '/bills/inquiry', { token: t, body: { lineNumber: OTHER } })).status, 403);
    const bad = await api('POST', '/bills/inquiry', { token: t, body: { lineNumber: '0101234' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.success, false);
    assert.equal((await api('POST', '/bills/inquiry', { token: t, raw: '{' })).status, 400);
    const u = await token('w-user', UNKNOWN);
    assert.equal((await api('POST', '/bills/inquiry', { token: u, body: { lineNumber: UNKNOWN } })).status, 404);
    assert.equal((await api('GET', `/bills/inquiry/${uuidv7()}`, { token: t })).status, 404);
  });

  test('history: paged, newest first, everything acknowledged by either worker', async () => {
    const t = await token('w-history', OTHER);
    for (let i = 0; i < 6; i++)
      assert.equal((await api('POST', '/bills/inquiry', { token: t, body: { lineNumber: OTHER } })).status, 200);
    let page: any;
    for (let i = 0; i < 50; i++) {
      page = (await api('GET', '/bills/history?page=1&size=4', { token: t })).body.data;
      if (page.pagination.totalItems === 6) break;
      await sleep(100);
    }
    assert.equal(page.pagination.totalItems, 6);
    assert.equal(page.items.length, 4);
    assert.equal(page.pagination.hasNext, true);
    const times = page.items.map((x: { requestTime: string }) => x.requestTime);
    assert.deepEqual([...times].sort().reverse(), times, 'newest first');
  });

  test('kill -9 of a worker: it is replaced, the service keeps answering on the same port', async () => {
    const [victim] = workerPids();
    process.kill(victim!, 'SIGKILL');
    const t = await token('w-user', LINE);
    for (let i = 0; i < 20; i++) assert.equal((await api('GET', '/bills/menu', { token: t })).status, 200);
    for (let i = 0; i < 100 && !/service worker replaced: 2 of 2 running/.test(serve.stderr); i++) await sleep(100);
    assert.match(serve.stderr, new RegExp(`service worker \\d+ \\(pid ${victim}\\) died \\(SIGKILL\\)`));
    assert.match(serve.stderr, /service worker replaced: 2 of 2 running/);
    assert.equal(workerPids().length, WORKERS);
    assert.ok(!workerPids().includes(victim!));
  });

  test('SIGTERM: every worker drains, flushes its history and exits; every acknowledged inquiry is in the database', async () => {
    const t = await token('w-user', LINE);
    await Promise.all(
      Array.from({ length: 40 }, () => api('POST', '/bills/inquiry', { token: t, body: { lineNumber: LINE } })),
    );
    assert.equal(await serve.stop(), 0, serve.stderr.slice(-3000));
    assert.match(serve.stderr, /2 of 2 workers flushed their history and exited/);
    const rows = await sql('SELECT count(*)::int AS n FROM bill_inquiry_history WHERE request_id = ANY($1::text[])', [
      acked,
    ]);
    assert.equal(rows[0]!.n, acked.length, `all ${acked.length} acknowledged inquiries were written`);
  });
});

/** The node:cluster workers: the serve process's children running the CLI. */
function workerPids(): number[] {
  const out = execFileSync('pgrep', ['-P', String(serve.pid), '-f', 'bill-inquiry'], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map(Number);
}
