import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { LocalInstance } from '../src/cluster/local/localCluster.js';
import { loadConfig } from '../src/config/load.js';
import { freePort } from '../src/system/freePort.js';
import { cli, json } from './helpers/cli.js';
import { tempDataDir, track } from './helpers/tempCluster.js';

const dataDir = tempDataDir('bi-switch-');
const bi = (...args: string[]) =>
  cli(['--data-dir', dataDir, ...args], { env: { BILL_INQUIRY__SERVER__MEMORY_MB: '1024' }, timeoutMs: 240_000 });
after(() => bi('cluster', 'down'));

test(
  'restore --switch (data corruption, §9.2): PITR onto a separate cluster, verify, then it becomes the primary on the same port',
  { timeout: 300_000 },
  async () => {
    const port = await freePort();
    const up = await bi(
      '--json',
      'cluster',
      'up',
      '--port',
      String(port),
      '--replica',
      '--replica-port',
      String(await freePort()),
    );
    assert.equal(up.code, 0, up.stderr);
    const cfg = loadConfig({ env: {}, overrides: { dataDir } });
    const primary = track(new LocalInstance(cfg, 'primary'));
    track(new LocalInstance(cfg, 'replica'));
    await primary.query('CREATE TABLE drill_switch (id int PRIMARY KEY)');
    await primary.query('INSERT INTO drill_switch SELECT generate_series(1, 100)');
    assert.equal((await bi('backup', 'run', '--type', 'full', '--repo', '1')).code, 0);
    const [{ target }] = (await primary.query<{ target: string }>('SELECT now()::text AS target')) as [
      { target: string },
    ];
    await new Promise((r) => setTimeout(r, 1100));
    await primary.query('DELETE FROM drill_switch'); // the corruption

    const into = path.join(tempDataDir('bi-switch-into-'), 'restored');
    const r = await bi('--json', 'restore', '--to', target, '--into', into, '--switch');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const result = json<{
      ok: boolean;
      switched: { primary: { port: number; running: boolean }; previousPrimary: string; previousReplica?: string };
    }>(r);
    assert.equal(result.switched.primary.port, port, 'the restored data now answers on the primary port');
    assert.equal(result.switched.primary.running, true);
    assert.ok(existsSync(result.switched.previousPrimary), 'the replaced data dir is kept, not deleted');
    assert.ok(result.switched.previousReplica, 'the replica of the old timeline is set aside');

    const [{ n }] = (await primary.query<{ n: string }>('SELECT count(*) AS n FROM drill_switch')) as [{ n: string }];
    assert.equal(Number(n), 100, 'every row from before the target is back on the primary');
    const [{ archive }] = (await primary.query<{ archive: string }>(
      "SELECT current_setting('archive_mode') AS archive",
    )) as [{ archive: string }];
    assert.equal(archive, 'on', "the primary's own settings (WAL archiving) apply again, not the restored cluster's");
    assert.equal((await bi('cluster', 'status')).code, 0);
  },
);
