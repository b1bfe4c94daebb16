import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, test } from 'node:test';
import { backupPaths } from '../src/backup/paths.js';
import { LocalInstance } from '../src/cluster/local/localCluster.js';
import { loadConfig } from '../src/config/load.js';
import { freePort } from '../src/system/freePort.js';
import { cli, json } from './helpers/cli.js';
import { tempDataDir, track } from './helpers/tempCluster.js';

const dataDir = tempDataDir('bi-drill-');
const bi = (args: string[]) => cli(['--data-dir', dataDir, ...args], { timeoutMs: 300_000 });
after(() => bi(['cluster', 'down']));

test(
  'drill pitr, drill restore and promote-replica on the plain cluster (primary + streaming replica)',
  { timeout: 480_000 },
  async (t) => {
    const up = await cli(
      [
        '--data-dir',
        dataDir,
        'cluster',
        'up',
        '--port',
        String(await freePort()),
        '--replica',
        '--replica-port',
        String(await freePort()),
      ],
      {
        env: { BILL_INQUIRY__SERVER__MEMORY_MB: '1024' },
      },
    );
    assert.equal(up.code, 0, up.stderr);
    const cfg = loadConfig({ env: {}, overrides: { dataDir } });
    track(new LocalInstance(cfg, 'primary'));
    track(new LocalInstance(cfg, 'replica'));

    await t.test('drill pitr: every row before the target back, none after', async () => {
      const r = await bi(['--json', 'drill', 'pitr', '--rows', '300']);
      const d = json<{
        ok: boolean;
        restore_s: number;
        rows_missing_before_target: number;
        rows_present_after_target: number;
      }>(r);
      t.diagnostic(`pitr drill: ${JSON.stringify(d)}`);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.equal(d.rows_missing_before_target, 0);
      assert.equal(d.rows_present_after_target, 0);
      assert.ok(d.restore_s > 0 && d.restore_s < 30 * 60, 'within the plan RTO (30 min)');
    });

    await t.test('drill restore: full restore from repo2 alone at ≥ 50 % of raw copy speed', async () => {
      const r = await bi(['--json', 'drill', 'restore', '--data-mb', '400']);
      const d = json<{
        ok: boolean;
        restore_s: number;
        mb_per_s: number;
        raw_copy_mb_per_s: number;
        data_dir_mb: number;
        rows_match: boolean;
      }>(r);
      t.diagnostic(`restore drill: ${JSON.stringify(d)}`);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.equal(d.rows_match, true, 'the restored copy has every generated row');
      assert.ok(d.data_dir_mb >= 400, `enough data for the ratio to mean something (${d.data_dir_mb} MB)`);
      assert.ok(d.mb_per_s >= 0.5 * d.raw_copy_mb_per_s, `${d.mb_per_s} MB/s vs raw ${d.raw_copy_mb_per_s} MB/s`);
      assert.ok(existsSync(backupPaths(cfg).repo(1)), 'repo1 was put back after the drill');
    });

    await t.test(
      'cluster promote-replica (region failure): the streaming replica becomes a writable primary',
      async () => {
        const r = await bi(['--json', 'cluster', 'promote-replica']);
        assert.equal(r.code, 0, r.stderr + r.stdout);
        const replica = new LocalInstance(cfg, 'replica');
        const [row] = await replica.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
        assert.equal(row!.r, false);
        await replica.query('CREATE TABLE region_failover_probe (id int)');
      },
    );
  },
);
