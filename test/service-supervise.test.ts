import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { postmasterPid } from '../src/cluster/local/postmaster.js';
import { freePort } from '../src/system/freePort.js';
import { cli, localServeEnv, startCli } from './helpers/cli.js';
import { tempDataDir } from './helpers/tempCluster.js';

const LINE = '010-1234-5678';

async function serveOn(dataDir: string) {
  const [port, pgPort] = [await freePort(), await freePort()];
  const env = localServeEnv(pgPort);
  const base = `http://127.0.0.1:${port}`;
  const token = async () =>
    (await cli(['--data-dir', dataDir, 'token', '--user', 'sup-user', '--line', LINE], { env })).stdout
      .trim()
      .split('\n')
      .at(-1)!;
  return { port, env, base, token };
}

const pgdata = (dataDir: string) => path.join(dataDir, 'pg', 'primary', 'data');
const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

test('serve supervises the PostgreSQL it started: kill -9 of the postmaster, back and answering 200 within 15 s, serve not restarted; counted on /metrics', async (t) => {
  const dataDir = tempDataDir();
  const s = await serveOn(dataDir);
  const serve = startCli(['--data-dir', dataDir, 'serve', '--port', String(s.port)], { env: s.env });
  try {
    await serve.waitFor('Ctrl-C');
    assert.match(serve.stderr, /supervising postgres primary/);
    const auth = { authorization: `Bearer ${await s.token()}` };
    const inq = await fetch(`${s.base}/bills/inquiry`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ lineNumber: LINE }),
    });
    assert.equal(inq.status, 200);
    const id = ((await inq.json()) as any).data.requestId as string;
    const before = postmasterPid(pgdata(dataDir))!;
    assert.ok(before, 'the postmaster runs');
    // The probe must need the database: GET /bills/inquiry/{id} answers from the history queue
    // (read-your-writes) until the row is committed. The history page reads the database.
    const historyHolds = () =>
      fetch(`${s.base}/bills/history?size=5`, { headers: auth, signal: AbortSignal.timeout(3000) }).then(
        async (r) => (r.status === 200 && JSON.stringify(await r.json()).includes(id) ? 200 : r.status),
        () => 0,
      );
    const flushedBy = Date.now() + 10_000;
    while ((await historyHolds()) !== 200) {
      assert.ok(Date.now() < flushedBy, 'the inquiry reaches the database before the kill');
      await new Promise((r) => setTimeout(r, 100));
    }

    const killedAt = Date.now();
    process.kill(before, 'SIGKILL');
    // Backends of a killed postmaster can answer one last query before they notice its death,
    // so "back" means: a new postmaster runs and the history page answers from it.
    let status = 0;
    let after: number | undefined;
    while (Date.now() - killedAt < 15_000) {
      after = postmasterPid(pgdata(dataDir));
      status = after && after !== before ? await historyHolds() : 0;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const backS = (Date.now() - killedAt) / 1000;
    t.diagnostic(`kill -9 of the postmaster → the service answers 200 again after ${backS.toFixed(1)} s`);
    assert.equal(status, 200, `the service answers 200 within 15 s of the kill (last status ${status})`);
    assert.ok(after && after !== before, 'a new postmaster runs');
    assert.match(serve.stderr, new RegExp(`SUPERVISOR: postgres primary \\(pid ${before}\\) died`));
    // The new postmaster answers a moment before pg_ctl's wait returns and the supervisor says so.
    const loggedBy = Date.now() + 10_000;
    while (!/SUPERVISOR: postgres primary is back after/.test(serve.stderr) && Date.now() < loggedBy)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(serve.stderr, /SUPERVISOR: postgres primary is back after [\d.]+ s/);
    assert.match(
      readFileSync(path.join(pgdata(dataDir), 'log', readLogName(pgdata(dataDir))), 'utf8'),
      /database system was interrupted|was not properly shut down; automatic recovery in progress/,
      'PostgreSQL replayed WAL (crash recovery)',
    );
    const metrics = await fetch(`${s.base}/metrics`).then((r) => r.text());
    assert.equal(metric(metrics, 'bill_inquiry_db_supervised'), 1);
    assert.equal(metric(metrics, 'bill_inquiry_db_supervisor_restarts_total'), 1);
    assert.equal(metric(metrics, 'bill_inquiry_db_supervised_down'), 0);
  } finally {
    assert.equal(await serve.stop(), 0, serve.stderr.slice(-4000));
  }
  assert.match(serve.stderr, /plain cluster stopped \(serve had started it\)/);
  assert.equal(postmasterPid(pgdata(dataDir)), undefined, 'no restart after the clean stop');
});

test('serve never supervises a cluster it did not start: after kill -9 it stays down until its owner acts', async () => {
  const dataDir = tempDataDir();
  const s = await serveOn(dataDir);
  const up = await cli(['--data-dir', dataDir, 'cluster', 'up'], { env: s.env });
  assert.equal(up.code, 0, up.stderr);
  const serve = startCli(['--data-dir', dataDir, 'serve', '--port', String(s.port)], { env: s.env });
  try {
    await serve.waitFor('Ctrl-C');
    assert.match(serve.stderr, /the cluster was running before serve: serve does not supervise or stop it/);
    const metrics = await fetch(`${s.base}/metrics`).then((r) => r.text());
    assert.equal(metric(metrics, 'bill_inquiry_db_supervised'), 0);
    const pid = postmasterPid(pgdata(dataDir))!;
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(postmasterPid(pgdata(dataDir)), undefined, 'nobody restarted it');
    assert.doesNotMatch(serve.stderr, /SUPERVISOR/);
    assert.equal((await fetch(`${s.base}/ready`)).status, 503);
    const again = await cli(['--data-dir', dataDir, 'cluster', 'up'], { env: s.env });
    assert.equal(again.code, 0, again.stderr);
  } finally {
    assert.equal(await serve.stop(), 0, serve.stderr.slice(-4000));
    await cli(['--data-dir', dataDir, 'cluster', 'down'], { env: s.env });
  }
  assert.doesNotMatch(serve.stderr, /cluster stopped/, 'serve leaves a cluster it did not start running');
});

const readLogName = (data: string): string => readdirSync(path.join(data, 'log')).sort().at(-1)!;

test('a serve restarted after kill -9 takes over the servers its dead predecessor started: supervises and stops them', async () => {
  const dataDir = tempDataDir();
  const s = await serveOn(dataDir);
  const first = startCli(['--data-dir', dataDir, 'serve', '--port', String(s.port)], { env: s.env });
  await first.waitFor('Ctrl-C');
  await first.crash();
  const orphan = postmasterPid(pgdata(dataDir))!;
  assert.ok(orphan, 'kill -9 of serve leaves its PostgreSQL running');
  const second = startCli(['--data-dir', dataDir, 'serve', '--port', String(s.port)], { env: s.env });
  try {
    await second.waitFor('Ctrl-C');
    assert.match(second.stderr, new RegExp(`the serve that started these servers \\(pid ${first.pid}\\) died`));
    assert.match(second.stderr, /supervising postgres primary/);
    process.kill(orphan, 'SIGKILL');
    const deadline = Date.now() + 15_000;
    let now = postmasterPid(pgdata(dataDir));
    while (!(now && now !== orphan) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      now = postmasterPid(pgdata(dataDir));
    }
    assert.ok(now && now !== orphan, `the new owner restarted PostgreSQL:\n${second.stderr.slice(-2000)}`);
  } finally {
    assert.equal(await second.stop(), 0, second.stderr.slice(-4000));
  }
  assert.match(second.stderr, /plain cluster stopped \(serve had started it\)/);
  assert.equal(postmasterPid(pgdata(dataDir)), undefined, 'the new owner stopped it on exit');
});
