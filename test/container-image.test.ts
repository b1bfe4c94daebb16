import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { issueToken } from '../src/service/auth/tokens.js';
import { Keyring } from '../src/service/crypto/keyring.js';
import { SecretStore } from '../src/system/secrets.js';
import { freePort } from '../src/system/freePort.js';
import {
  buildImage,
  configDir,
  envFile,
  imageDataDir,
  podman,
  runArgs,
  secretEnv,
  track,
  uniqueName,
  waitForStatus,
} from './helpers/container.js';
import { appliedCluster } from './helpers/platform.js';

const LINES = ['010-1234-5678', '010-2222-3333', '010-4444-5555', '010-6666-7777'];

test('the image: serve against a PostgreSQL the test started answers readiness; non-root, read-only root; SIGTERM under load drains with 0 failed requests and 0 lost history rows', async (t) => {
  const image = buildImage();
  const { cfg, primary } = await appliedCluster();
  const port = await freePort();
  const conf = configDir(
    {
      server: { memoryMb: 1024 },
      service: {
        database: { primary: { host: '127.0.0.1', port: primary.port }, caFile: '/etc/bill-inquiry/ca.crt' },
        // A balancer checking readiness takes the instance out within this window, before the listener closes.
        shutdownDrainMs: 2000,
        history: { flushIntervalMs: 50 },
        // No KOS in these tests: the bundled mock, asked for by name (the external topology requires it).
        kosMock: { inProcess: true },
      },
    },
    path.join(cfg.dataDir, 'tls', 'ca.crt'),
  );
  // The team's secrets, made before they are handed to the container: the JWT key the test's tokens are
  // signed with and the column key (a replica must not make keys of its own).
  const token = issueToken(cfg, { userId: 'image-user', lines: LINES });
  void new Keyring(new SecretStore(cfg.dataDir));
  const name = uniqueName('bi-image');
  track.container(name);
  const started = Date.now();
  const run = await podman([
    ...runArgs({ name, dataDir: imageDataDir(), confDir: conf, envFile: envFile(secretEnv(cfg.dataDir)) }),
    '-d',
    // Tests stay on loopback: the image's 0.0.0.0 would listen on every interface of the host network.
    '-e',
    'BILL_INQUIRY__SERVICE__HOST=127.0.0.1',
    '-e',
    `BILL_INQUIRY__SERVICE__PORT=${port}`,
    image,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const base = `http://127.0.0.1:${port}`;
  const logs = async () => (await podman(['logs', name])).stderr.slice(-4000);

  assert.equal(await waitForStatus(base + cfg.k8s.probes.readiness.path), 200, await logs());
  // Reported, not asserted (README "Container image and Kubernetes" quotes it).
  t.diagnostic(`cold start to ready: ${Date.now() - started} ms (podman run → readiness 200)`);
  assert.match(await logs(), /external database/, 'the image serves the database it is given, it starts none');

  const uid = await podman(['exec', name, 'id', '-u']);
  assert.equal(uid.stdout.trim(), '10001', 'runs as the numeric non-root user');
  const rootWrite = await podman(['exec', name, 'touch', '/app/written']);
  assert.notEqual(rootWrite.code, 0);
  assert.match(rootWrite.stderr, /Read-only file system/);
  const dataWrite = await podman(['exec', name, 'touch', '/var/lib/bill-inquiry/written']);
  assert.equal(dataWrite.code, 0, `the data dir volume is writable: ${dataWrite.stderr}`);
  const pid1 = await podman(['exec', name, 'cat', '/proc/1/cmdline']);
  assert.match(pid1.stdout, /^\/usr\/bin\/tini/, 'tini is PID 1 and forwards SIGTERM');

  // Load from 16 clients; like a balancer, they stop sending once readiness answers 503 (the drain).
  let draining = false;
  const acknowledged: string[] = [];
  const failed: string[] = [];
  const watch = (async () => {
    while (!draining) {
      const s = await fetch(base + cfg.k8s.probes.readiness.path).then(
        (r) => r.status,
        () => 0,
      );
      if (s !== 200) draining = true;
      else await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const client = async (n: number) => {
    for (let i = 0; !draining; i++) {
      const res = await fetch(`${base}/bills/inquiry`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ lineNumber: LINES[(n + i) % LINES.length] }),
      }).then(
        async (r) => ({ status: r.status, body: (await r.json()) as { data?: { requestId?: string } } }),
        (e: Error) => ({ status: 0, body: { error: e.message } as { data?: { requestId?: string } } }),
      );
      if (res.status === 200 && res.body.data?.requestId) acknowledged.push(res.body.data.requestId);
      else failed.push(`${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
  };
  const clients = Array.from({ length: 16 }, (_, n) => client(n));
  while (acknowledged.length < 500 && failed.length === 0) await new Promise((r) => setTimeout(r, 50));
  const stop = await podman(['stop', '-t', '90', name], { timeoutMs: 120_000 });
  draining = true;
  await Promise.all([...clients, watch]);
  assert.equal(stop.code, 0, stop.stderr);

  const state = await podman(['inspect', name, '--format', '{{.State.ExitCode}}']);
  const log = await logs();
  assert.equal(state.stdout.trim(), '0', `serve exits 0 after SIGTERM: ${log}`);
  assert.match(log, /stopping: flushing history/);
  assert.deepEqual(failed, [], 'no request failed during the drain');
  assert.ok(acknowledged.length >= 500, `load ran: ${acknowledged.length} acknowledged`);
  const rows = await primary.query<{ n: string }>(
    'SELECT count(*) AS n FROM bill_inquiry_history WHERE request_id = ANY($1::text[])',
    [acknowledged],
    cfg.database.name,
  );
  assert.equal(Number(rows[0]!.n), acknowledged.length, 'every acknowledged inquiry is in the history: 0 lost');
  t.diagnostic(
    `drain under load: ${acknowledged.length} acknowledged, ${failed.length} failed, ${rows[0]!.n} history rows`,
  );
});
