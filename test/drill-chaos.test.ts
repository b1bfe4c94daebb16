import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { postmasterPid } from '../src/cluster/local/postmaster.js';
import { freePort } from '../src/system/freePort.js';
import { assertChaos } from './helpers/chaos.js';
import { cli, json, localServeEnv } from './helpers/cli.js';
import { tempDataDir } from './helpers/tempCluster.js';

test('drill chaos on the single node: PostgreSQL killed and stalled, serve killed, KOS failing; nothing acknowledged lost', async (t) => {
  const dataDir = tempDataDir();
  const env = localServeEnv(await freePort());
  const run = (args: string[]) => cli(['--data-dir', dataDir, ...args], { env, timeoutMs: 400_000 });

  await t.test('--clients 0 and --instances 0 are refused before anything starts', async () => {
    for (const flag of ['--clients', '--instances']) {
      const r = await run(['drill', 'chaos', flag, '0']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`${flag} must be at least 1`));
    }
  });

  await t.test('a PostgreSQL nobody supervises is refused: the drill would leave it dead', async () => {
    assert.equal((await run(['cluster', 'up'])).code, 0);
    try {
      const r = await run(['--json', 'drill', 'chaos']);
      assert.equal(r.code, 1);
      const { error } = json<{ error: { code: string; message: string } }>(r);
      assert.equal(error.code, 'CHAOS_UNSUPERVISED');
      assert.match(error.message, /stop it \(`bill-inquiry cluster down`\)/, 'says what to do');
    } finally {
      assert.equal((await run(['cluster', 'down'])).code, 0);
    }
  });

  await t.test('--duration 60: every fault kind, every acknowledged inquiry in the database', async (st) => {
    const r = await run(['--json', 'drill', 'chaos', '--duration', '60']);
    const d = assertChaos(st, r, 'plain');
    const serveLog = readFileSync(path.join(d.logs, 'serve.log'), 'utf8');
    // The single node comes back because the drill's serve supervises it (or took it over from a killed serve).
    assert.match(serveLog, /SUPERVISOR: postgres primary \(pid \d+\) died/);
    assert.match(serveLog, /SUPERVISOR: postgres primary is back after/);
    assert.equal(
      postmasterPid(path.join(dataDir, 'pg', 'primary', 'data')),
      undefined,
      'serve stopped what it started',
    );
  });
});
