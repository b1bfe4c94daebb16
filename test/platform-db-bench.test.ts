import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { describe, test } from 'node:test';
import { applyDatabase } from '../src/platform/apply.js';
import { lastResultFile, type DbBenchResult } from '../src/platform/bench/dbBench.js';
import type { ChecklistResult } from '../src/monitor/checklists/item.js';
import { BIN, cli, json } from './helpers/cli.js';
import { startTempCluster } from './helpers/tempCluster.js';

const { cfg, primary } = await startTempCluster({ overrides: { monitor: { connectAs: 'superuser' } } });
await applyDatabase(cfg, primary.target());
const env = { BILL_INQUIRY__MONITOR__CONNECT_AS: 'superuser', BILL_INQUIRY_ADMIN_URL: '' };
const short = ['--scale', '1', '--clients', '4', '--jobs', '2'];
const scratchDatabases = async () =>
  (
    await primary.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'bill_inquiry_bench_%'`,
    )
  ).map((r) => r.datname);

describe('db bench (plan §13.2) on a real cluster', () => {
  test('runs pgbench as bill_app_user in a scratch database, reports tps and latency, drops it, leaves the production database untouched', async () => {
    // A scratch database an earlier run left behind when it was killed (its name says 1970): dropped by this run.
    await primary.query(`CREATE DATABASE bill_inquiry_bench_1_dead00`);
    const r = await cli(['--data-dir', cfg.dataDir, '--json', 'db', 'bench', ...short, '--duration', '3'], { env });
    assert.equal(r.code, 0, r.stderr);
    const b = json<DbBenchResult>(r);
    assert.equal(b.role, 'bill_app_user');
    assert.match(b.scratchDatabase, /^bill_inquiry_bench_\d+_[0-9a-f]{6}$/);
    assert.equal(b.scale, 1);
    assert.equal(b.clients, 4);
    assert.equal(b.durationSeconds, 3);
    assert.ok(b.tps > 0 && b.transactions > 0, `tps ${b.tps}, ${b.transactions} transactions`);
    assert.ok(b.latencyAvgMs > 0);
    assert.equal(b.failedTransactions, 0);
    assert.deepEqual(b.leftoversDropped, ['bill_inquiry_bench_1_dead00']);
    assert.match(r.stderr, /pgbench: progress: /, 'progress shown while it runs');

    assert.deepEqual(await scratchDatabases(), [], 'no scratch database left');
    const [prod] = await primary.query<{ pgbench: string; create: boolean }>(
      `SELECT (SELECT count(*) FROM pg_class WHERE relname LIKE 'pgbench_%')::text AS pgbench,
              has_schema_privilege('bill_app_user', 'public', 'CREATE') AS create`,
      [],
      cfg.database.name,
    );
    assert.deepEqual(prod, { pgbench: '0', create: false }, 'no pgbench table and no CREATE right in bill_inquiry_db');

    // The last result is kept (0600) for the weekly checklist, whose statistics item quotes it.
    assert.equal(statSync(lastResultFile(cfg)).mode & 0o777, 0o600);
    const weekly = json<ChecklistResult>(await cli(['--data-dir', cfg.dataDir, '--json', 'check', 'weekly'], { env }));
    const stats = weekly.items.find((i) => i.id === 'statistics')!;
    assert.match(
      stats.detail,
      new RegExp(`last pgbench \\(§13\\.2, .*scale 1, 4 clients, 3 s\\): ${b.tps.toFixed(0)} tps`),
    );
  });

  test('Ctrl-C during the run stops pgbench and still drops the scratch database', async () => {
    const child = spawn(
      process.execPath,
      [BIN, '--data-dir', cfg.dataDir, 'db', 'bench', ...short, '--duration', '120'],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 120_000;
    while (!/pgbench: progress: /.test(stderr)) {
      assert.ok(Date.now() < deadline && child.exitCode === null, `pgbench never ran:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal((await scratchDatabases()).length, 1, 'the scratch database exists while pgbench runs');
    child.kill('SIGINT');
    assert.notEqual(await exited, 0);
    assert.match(stderr, /error: db bench stopped by SIGINT; the scratch database was dropped/);
    assert.deepEqual(await scratchDatabases(), []);
  });
});
