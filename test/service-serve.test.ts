import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort } from '../src/system/freePort.js';
import { cli, startCli } from './helpers/cli.js';
import { tempDataDir } from './helpers/tempCluster.js';

test('serve (npm start): local database + KOS mock + service; token, menu, inquiry, result, history; SIGTERM flushes and stops what it started', async () => {
  const dataDir = tempDataDir();
  const [port, pgPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    BILL_INQUIRY__CLUSTER__PORT: String(pgPort),
    BILL_INQUIRY__SERVER__MEMORY_MB: '1024',
    BILL_INQUIRY__BACKUP__FIRST_BACKUP__ENABLED: 'false',
  };
  const serve = startCli(['--data-dir', dataDir, 'serve', '--port', String(port)], { env });
  let code: number | null;
  try {
    await serve.waitFor('Ctrl-C');
    const stdout = serve.stdout;
    assert.match(stdout, new RegExp(`http://127.0.0.1:${port}`));
    assert.match(stdout, /token --user/, 'says how to get a token');
    const tok = await cli(['--data-dir', dataDir, 'token', '--user', 'user1', '--line', '010-1234-5678'], { env });
    const token = tok.stdout.trim().split('\n').at(-1)!;
    const auth = { authorization: `Bearer ${token}` };
    const base = `http://127.0.0.1:${port}`;
    const menu = await fetch(`${base}/bills/menu`, { headers: auth }).then((r) => r.json() as Promise<any>);
    assert.equal(menu.data.customerInfo.lineNumber, '010-1234-5678');
    const inq = await fetch(`${base}/bills/inquiry`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ lineNumber: '010-1234-5678' }),
    });
    assert.equal(inq.status, 200);
    const id = ((await inq.json()) as any).data.requestId as string;
    assert.equal((await fetch(`${base}/bills/inquiry/${id}`, { headers: auth })).status, 200);
    let items = 0;
    for (let i = 0; i < 50 && items === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      items = (await fetch(`${base}/bills/history`, { headers: auth }).then((r) => r.json() as Promise<any>)).data
        .pagination.totalItems;
    }
    assert.equal(items, 1, 'the inquiry shows up in the history once flushed');
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    // serve wires the monitoring plugins: the inquiry above is counted on /metrics, and /ops wants its admin token.
    const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
    assert.match(metrics, /route="\/bills\/inquiry"/);
    assert.equal((await fetch(`${base}/ops`)).status, 401);
  } finally {
    code = await serve.stop();
  }
  assert.equal(code, 0, serve.stderr);
  assert.match(serve.stderr, /flushing history/);
  assert.match(serve.stderr, /plain cluster stopped \(serve had started it\)/);
  const status = await cli(['--data-dir', dataDir, 'cluster', 'status'], { env });
  assert.notEqual(status.code, 0, 'the cluster serve started is stopped again');
});
