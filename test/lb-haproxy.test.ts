import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config/load.js';
import { queryOnce } from '../src/db/withClient.js';
import { startKosMock } from '../src/kos/mock/server.js';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { freePort } from '../src/system/freePort.js';
import { cli, localServeEnv, startCli } from './helpers/cli.js';
import { superuserOn, tempDataDir } from './helpers/tempCluster.js';

const WRITERS = 8;
const line = (w: number) => `010-7777-${String(1001 + w).padStart(4, '0')}`;

test('two serve instances behind a real HAProxy: B serves the cache A filled, both write history, stopping A mid-load fails no request', async (t) => {
  const dataDir = tempDataDir();
  const [portA, portB, portLb, pgPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const kos = await startKosMock(loadConfig({ env: {} }).service.kosMock);
  after(() => kos.close());
  const env = localServeEnv(pgPort, {
    BILL_INQUIRY__SERVICE__HISTORY__FLUSH_INTERVAL_MS: '50',
    // Long enough for HAProxy (checks every 500 ms, 2 failures) to take a stopping instance out first.
    BILL_INQUIRY__SERVICE__SHUTDOWN_DRAIN_MS: '2000',
    BILL_INQUIRY__POOL__INSTANCES: '2',
  });
  const serve = (port: number) =>
    startCli(['--data-dir', dataDir, 'serve', '--port', String(port), '--kos-url', kos.url], { env });
  // Only one instance may own the cluster: B starts it, A uses the running database.
  const b = serve(portB);
  after(async () => {
    await b.stop();
  });
  await b.waitFor('Ctrl-C');
  assert.match(b.stderr, /plain topology: primary on 127\.0\.0\.1:\d+ \(started by serve\)/);
  const a = serve(portA);
  after(async () => {
    await a.stop();
  });
  await a.waitFor('Ctrl-C');
  assert.match(a.stderr, /\(was running\)/);
  assert.match(a.stderr, /serve does not supervise or stop it/);

  const cfgFile = path.join(dataDir, 'haproxy.cfg');
  const gen = await cli(
    [
      '--data-dir',
      dataDir,
      'lb',
      'config',
      '--port',
      String(portLb),
      '--instance',
      `127.0.0.1:${portA}`,
      '--instance',
      `127.0.0.1:${portB}`,
      '--write',
      cfgFile,
    ],
    { env },
  );
  assert.equal(gen.code, 0, gen.stderr);
  const haproxy = spawn('haproxy', ['-f', cfgFile, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let haLog = '';
  haproxy.stderr.on('data', (d: Buffer) => (haLog += d.toString()));
  after(() => void haproxy.kill('SIGKILL'));
  const lb = `http://127.0.0.1:${portLb}`;
  for (let i = 0; i < 100; i++) {
    if (
      (await fetch(`${lb}/ready`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      break;
    await sleep(100);
  }
  await sleep(1500); // both servers past `rise 2`

  const tokens = await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) =>
      (await cli(['--data-dir', dataDir, 'token', '--user', `lb-${w}`, '--line', line(w)], { env })).stdout
        .trim()
        .split('\n')
        .at(-1)!,
    ),
  );
  const post = (base: string, w: number, body: Record<string, unknown> = {}) =>
    fetch(`${base}/bills/inquiry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[w]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ lineNumber: line(w), ...body }),
      signal: AbortSignal.timeout(10_000),
    });

  await t.test('instance B serves a cache hit that instance A filled (shared bill_info_cache)', async () => {
    const month = availableMonths(currentMonth('Asia/Seoul'), 4)[3]!;
    const first = await post(`http://127.0.0.1:${portA}`, 0, { inquiryMonth: month });
    assert.equal(first.status, 200);
    const bill = ((await first.json()) as any).data.billInfo;
    const superuser = superuserOn(dataDir, pgPort, 'bill_inquiry_db');
    for (let i = 0; i < 100; i++) {
      const rows = await queryOnce(superuser, 'SELECT 1 FROM bill_info_cache WHERE cache_key = $1', [
        `${line(0)}:${month}`,
      ]);
      if (rows.length) break;
      await sleep(50);
    }
    const kosBefore = kos.calls['/kos/bill/inquiry'];
    const fromB = await post(`http://127.0.0.1:${portB}`, 0, { inquiryMonth: month });
    assert.equal(fromB.status, 200);
    assert.deepEqual(((await fromB.json()) as any).data.billInfo, bill);
    assert.equal(kos.calls['/kos/bill/inquiry'], kosBefore, 'B did not call KOS: the hit came from the shared table');
    const metrics = await fetch(`http://127.0.0.1:${portB}/metrics`).then((r) => r.text());
    assert.ok(Number(/^bill_inquiry_cache_hits_total (\d+)$/m.exec(metrics)?.[1]) >= 1);
  });

  await t.test(
    'load through HAProxy; stopping A mid-load fails no request; both instances wrote history; every result readable',
    async () => {
      const acked: Array<{ id: string; w: number }> = [];
      const failures: string[] = [];
      let stop = false;
      const writer = async (w: number) => {
        while (!stop) {
          try {
            const r = await post(lb, w);
            const body = (await r.json()) as any;
            if (r.status === 200 && body.data?.requestId) acked.push({ id: body.data.requestId as string, w });
            else failures.push(`HTTP ${r.status} ${JSON.stringify(body).slice(0, 200)}`);
          } catch (e) {
            failures.push((e as Error).message);
          }
        }
      };
      const load = Array.from({ length: WRITERS }, (_, w) => writer(w));
      await sleep(3000);
      const beforeStop = acked.length;
      const code = await a.stop();
      await sleep(3000);
      stop = true;
      await Promise.all(load);
      t.diagnostic(
        `${acked.length} inquiries through HAProxy (${beforeStop} before A stopped), ${failures.length} failed`,
      );
      assert.equal(code, 0, a.stderr.slice(-2000));
      assert.deepEqual(failures, [], `no request failed while A stopped\n${haLog}`);
      assert.ok(acked.length > beforeStop, 'B took over the load');
      const flushedByA = Number(/history flushed \((\d+) rows written\)/.exec(a.stderr)?.[1]);
      assert.ok(flushedByA > 0, `A wrote history (${flushedByA} rows)`);
      const metricsB = await fetch(`http://127.0.0.1:${portB}/metrics`).then((r) => r.text());
      assert.ok(Number(/^bill_inquiry_history_flushed_total (\d+)$/m.exec(metricsB)?.[1]) > 0, 'B wrote history');
      const missing: string[] = [];
      for (const x of acked) {
        const r = await fetch(`${lb}/bills/inquiry/${x.id}`, { headers: { authorization: `Bearer ${tokens[x.w]}` } });
        if (r.status !== 200) missing.push(`${x.id}: ${r.status}`);
      }
      assert.deepEqual(missing, []);
    },
  );
});
