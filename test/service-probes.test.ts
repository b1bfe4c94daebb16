import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { postmasterPid } from '../src/cluster/local/postmaster.js';
import { freePort } from '../src/system/freePort.js';
import { localServeEnv, startCli } from './helpers/cli.js';
import { tempDataDir } from './helpers/tempCluster.js';

/** One look at every probe, in the same event-loop turn of the test. */
async function probes(base: string) {
  const get = (p: string) =>
    fetch(base + p, { signal: AbortSignal.timeout(5000) }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as { status?: string } }),
      () => ({ status: 0, body: {} }),
    );
  const [liveness, readiness, startup, accepting, ready] = await Promise.all(
    ['/actuator/health/liveness', '/actuator/health/readiness', '/actuator/health', '/accepting', '/ready'].map(get),
  );
  return { liveness: liveness!, readiness: readiness!, startup: startup!, accepting: accepting!, ready: ready! };
}

test('actuator probes under serve: kill -9 of the database never fails liveness; readiness follows /accepting (not /ready); a drain turns readiness DOWN while liveness stays UP', async (t) => {
  const dataDir = tempDataDir();
  const [port, pgPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  const env = localServeEnv(pgPort, { BILL_INQUIRY__SERVICE__SHUTDOWN_DRAIN_MS: '3000' });
  const serve = startCli(['--data-dir', dataDir, 'serve', '--port', String(port)], { env });
  let stopped: Promise<number | null> | undefined;
  try {
    await serve.waitFor('Ctrl-C');
    const up = await probes(base);
    for (const p of ['liveness', 'readiness', 'startup'] as const) {
      assert.equal(up[p].status, 200, p);
      assert.deepEqual(up[p].body, { status: 'UP' }, `${p} answers as Spring Boot's actuator`);
    }
    const pgdata = path.join(dataDir, 'pg', 'primary', 'data');
    const before = postmasterPid(pgdata)!;
    process.kill(before, 'SIGKILL');
    // Sample until serve's supervisor has the database back: liveness never fails, readiness
    // answers as /accepting does each time, while /ready reports the outage.
    const samples: Awaited<ReturnType<typeof probes>>[] = [];
    const deadline = Date.now() + 60_000;
    while (!/SUPERVISOR: postgres primary is back after/.test(serve.stderr)) {
      assert.ok(Date.now() < deadline, `the supervisor brings the database back:\n${serve.stderr.slice(-2000)}`);
      samples.push(await probes(base));
      await new Promise((r) => setTimeout(r, 50));
    }
    samples.push(await probes(base));
    const readyDown = samples.filter((s) => s.ready.status === 503).length;
    t.diagnostic(`${samples.length} samples during the outage; /ready 503 in ${readyDown}`);
    assert.ok(readyDown > 0, '/ready saw the database down (the outage was real)');
    for (const s of samples) {
      assert.equal(s.liveness.status, 200, 'liveness never fails because the database is down');
      assert.equal(s.readiness.status, s.accepting.status, 'readiness is /accepting');
      assert.equal(s.startup.status, s.accepting.status, 'the startup probe is readiness once started');
    }
    assert.ok(
      samples.some((s) => s.ready.status === 503 && s.readiness.status === 200),
      'readiness stays UP while /ready is 503: a failover does not empty the Service',
    );

    // SIGTERM with a drain of 3 s: readiness and /accepting say DOWN, liveness stays UP.
    stopped = serve.stop();
    let drain: Awaited<ReturnType<typeof probes>> | undefined;
    const drainBy = Date.now() + 10_000;
    while (Date.now() < drainBy) {
      const s = await probes(base);
      if (s.accepting.status === 503) {
        drain = s;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(drain, 'the drain was seen');
    assert.equal(drain.liveness.status, 200);
    assert.equal(drain.readiness.status, 503);
    assert.deepEqual(drain.readiness.body, { status: 'DOWN' });
    assert.equal(drain.startup.status, 503);
  } finally {
    assert.equal(await (stopped ?? serve.stop()), 0, serve.stderr.slice(-4000));
  }
});
