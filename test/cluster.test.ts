import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { cli, json, startCli } from './helpers/cli.js';
import { tempDataDir } from './helpers/tempCluster.js';
import path from 'node:path';
import { postmasterPid } from '../src/cluster/local/postmaster.js';
import { freePort } from '../src/system/freePort.js';

test('cluster up → status → down → up again on the same data', async () => {
  const dataDir = tempDataDir();
  const port = await freePort();
  const up = await cli(['--data-dir', dataDir, '--json', 'cluster', 'up', '--port', String(port)]);
  try {
    assert.equal(up.code, 0, up.stderr);
    const r = json<{ ok: boolean; binaries: { source: string }; instances: Array<{ running: boolean; port: number }> }>(
      up,
    );
    assert.equal(r.instances[0]!.running, true);
    assert.equal(r.instances[0]!.port, port);
    assert.match(up.stderr, /PostgreSQL \d+ from (system|embedded|PG_BIN)/, 'says which binaries it uses');

    const status = await cli(['--data-dir', dataDir, '--json', 'cluster', 'status']);
    assert.equal(status.code, 0);
    assert.equal(json<{ ok: boolean }>(status).ok, true);

    assert.equal((await cli(['--data-dir', dataDir, 'cluster', 'down'])).code, 0);
    const stopped = await cli(['--data-dir', dataDir, '--json', 'cluster', 'status']);
    assert.equal(stopped.code, 1, 'status exits non-zero when the cluster is down');

    // Restart on the same data: the port recorded at first `up` is reused without flags.
    const again = await cli(['--data-dir', dataDir, '--json', 'cluster', 'up']);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /initialized/, 'existing data is reused, not re-initialized');
    assert.equal(json<{ instances: Array<{ port: number }> }>(again).instances[0]!.port, port);
  } finally {
    await cli(['--data-dir', dataDir, 'cluster', 'down']);
  }
});

test('cluster up on a port another program holds fails with a one-line error', async () => {
  const blocker = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const { port } = blocker.address() as net.AddressInfo;
  try {
    const r = await cli(['--data-dir', tempDataDir(), 'cluster', 'up', '--port', String(port)]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /^error: port \d+ on 127\.0\.0\.1 is already in use.*--port/m);
  } finally {
    blocker.close();
  }
});

test('unknown flags and bad values are refused with usage help and a non-zero exit', async () => {
  const unknown = await cli(['cluster', 'up', '--bogus']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option '--bogus'/);
  const badPort = await cli(['cluster', 'up', '--port', 'abc']);
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /--port must be a whole number/);
});

test('cluster up --foreground stays attached, restarts a killed postmaster, and SIGTERM stops the cluster cleanly', async () => {
  const dataDir = tempDataDir();
  const port = await freePort();
  const up = startCli(['--data-dir', dataDir, 'cluster', 'up', '--foreground', '--port', String(port)]);
  let code: number | null;
  try {
    await up.waitFor('connect:');
    assert.equal((await cli(['--data-dir', dataDir, 'cluster', 'status'])).code, 0, 'running while attached');
    assert.match(up.stderr, /supervising postgres primary/);
    const pgdata = path.join(dataDir, 'pg', 'primary', 'data');
    const pid = postmasterPid(pgdata)!;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 300 && !/SUPERVISOR: postgres primary is back/.test(up.stderr); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(up.stderr, new RegExp(`SUPERVISOR: postgres primary \\(pid ${pid}\\) died`));
    assert.ok(postmasterPid(pgdata), 'a new postmaster runs');
    assert.equal((await cli(['--data-dir', dataDir, 'cluster', 'status'])).code, 0, 'running again');
  } finally {
    code = await up.stop();
  }
  assert.equal(code, 0, up.stderr);
  assert.match(up.stderr, /cluster stopped/);
  assert.equal((await cli(['--data-dir', dataDir, 'cluster', 'status'])).code, 1, 'SIGTERM stopped the server');
});
