import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BackupInfo } from '../src/backup/info.js';
import type { AlertResult } from '../src/monitor/alerts/evaluate.js';
import type { ChecklistResult } from '../src/monitor/checklists/item.js';
import { freePort } from '../src/system/freePort.js';
import { cli, json, startCli, type RunningCli } from './helpers/cli.js';
import { tempDataDir } from './helpers/tempCluster.js';

// Issue 20: `serve` on a fresh data dir takes the first full backup by itself, in the background.
// The system PostgreSQL 15 (pgBackRest 2.45 backs it up); the host alerts judged against limits no
// busy test machine reaches (other test files share these cores).
const WAIT_MS = 600_000;

async function fresh() {
  const dataDir = tempDataDir('bi-first-');
  const env = {
    ...process.env,
    BILL_INQUIRY__CLUSTER__PORT: String(await freePort()),
    BILL_INQUIRY__CLUSTER__BINARIES: 'system',
    BILL_INQUIRY__SERVER__MEMORY_MB: '1024',
    BILL_INQUIRY__MONITOR__ALERTS__CPU_PERCENT__THRESHOLD: '101',
    BILL_INQUIRY__MONITOR__ALERTS__MEMORY_PERCENT__THRESHOLD: '101',
    BILL_INQUIRY__MONITOR__ALERTS__DISK_PERCENT__THRESHOLD: '101',
    BILL_INQUIRY__MONITOR__ALERTS__RESPONSE_TIME_MS__THRESHOLD: '600000',
    BILL_INQUIRY_ADMIN_URL: '',
  };
  const run = (...args: string[]) => cli(['--data-dir', dataDir, '--json', ...args], { env, timeoutMs: 300_000 });
  const serves: RunningCli[] = [];
  const serve = async () => {
    const s = startCli(['--data-dir', dataDir, 'serve', '--port', String(await freePort())], { env });
    serves.push(s);
    await s.waitFor('Bill-Inquiry service on', 300_000);
    return s;
  };
  after(async () => {
    for (const s of serves) await s.crash();
    await run('cluster', 'down');
  });
  return { dataDir, run, serve };
}

/** Waits until serve's log (stderr) shows `text`. */
async function logged(s: RunningCli, text: RegExp, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!text.test(s.stderr)) {
    if (Date.now() > deadline) throw new Error(`serve never logged ${text}:\n${s.stderr}`);
    await sleep(200);
  }
}

const backupList = async (run: (...a: string[]) => Promise<{ code: number; stdout: string; stderr: string }>) => {
  const r = await run('backup', 'list');
  assert.equal(r.code, 0, r.stderr);
  return json<BackupInfo>(r);
};

const firstBackupLines = (s: RunningCli) =>
  s.stderr
    .split('\n')
    .filter((l) => l.includes('first full backup'))
    .join(' | ');

/** One complete full backup in each of the two repositories. */
const oneFullPerRepo = (i: BackupInfo) =>
  [1, 2].every((repo) => {
    const sets = i.backups.filter((b) => b.repo === repo);
    return sets.length === 1 && sets[0]!.type === 'full' && sets[0]!.ok;
  });

describe('the first full backup at serve start', () => {
  test('fresh data dir: taken in the background, alerts ok once it is there; a second serve takes none', async (t) => {
    const { run, serve } = await fresh();
    const first = await serve();
    await logged(first, /first full backup: repo1 \(1 of 2\) started/);

    // While it runs, the checklist says so instead of failing. On a fast machine the first
    // repository's backup may already be registered by the time the check reads it (2.6 s
    // each in CI): then the check sees that backup. Either way it never fails.
    const during = await run('check', 'daily');
    const item = json<ChecklistResult>(during).items.find((i) => i.id === 'backup')!;
    assert.notEqual(item.status, 'fail', item.detail);
    assert.match(item.detail, /first backup running|last successful backup/);

    let alerts: { ok: boolean; alerts: AlertResult[] };
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      alerts = json(await run('monitor', 'alerts'));
      if (alerts.ok && oneFullPerRepo(await backupList(run))) break;
      assert.ok(
        Date.now() < deadline,
        `no first backup in time: ${JSON.stringify(alerts.alerts.filter((a) => a.firing))}\n${first.stderr}`,
      );
      await sleep(2000);
    }
    assert.match(first.stderr, /first full backup: complete/);
    t.diagnostic(firstBackupLines(first));
    t.diagnostic(`check daily while it ran: ${item.status} — ${item.detail}`);
    const backupAlert = alerts.alerts.find((a) => a.name === 'backupAgeH')!;
    assert.equal(backupAlert.firing, false);
    assert.match(backupAlert.detail, /last successful backup/);
    const labels = (await backupList(run)).backups.map((b) => b.label);

    assert.equal(await first.stop(), 0, first.stderr);
    const second = await serve();
    await logged(second, /first full backup: not needed/);
    assert.doesNotMatch(second.stderr, /first full backup: repo\d/);
    assert.deepEqual(
      (await backupList(run)).backups.map((b) => b.label),
      labels,
      'the second serve took no backup',
    );
    assert.equal(await second.stop(), 0, second.stderr);
  });

  test('db apply (which exits) takes no backup: it prints the one command that does', async () => {
    const { run } = await fresh();
    const up = await run('cluster', 'up');
    assert.equal(up.code, 0, up.stderr);
    const applied = await run('db', 'apply');
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stderr, /no backup yet \(repo1, repo2\).*bill-inquiry backup run --type full/);
    assert.deepEqual((await backupList(run)).backups, []);
  });

  test('a stop (SIGTERM) during the first backup interrupts it cleanly; the next start takes it', async (t) => {
    const { run, serve } = await fresh();
    const first = await serve();
    await logged(first, /first full backup: repo1 \(1 of 2\) started/);
    assert.equal(await first.stop(), 0, first.stderr);
    assert.match(first.stderr, /first full backup: (interrupted by the stop|complete)/);
    assert.match(first.stderr, /cluster stopped \(serve had started it\)/);
    assert.deepEqual(
      (await backupList(run)).backups.filter((b) => !b.ok || b.type !== 'full'),
      [],
      'nothing partial registered',
    );
    const next = await serve();
    await logged(next, /first full backup: (complete|not needed)/);
    assert.ok(oneFullPerRepo(await backupList(run)), next.stderr);
    t.diagnostic(`stopped: ${firstBackupLines(first)}; then ${firstBackupLines(next)}`);
    assert.equal(await next.stop(), 0, next.stderr);
  });

  test('kill -9 of serve during the first backup: nothing half-registered, the next start takes a complete one', async (t) => {
    const { run, serve } = await fresh();
    const first = await serve();
    await logged(first, /first full backup: repo1 \(1 of 2\) started/);
    await first.crash();

    // pgBackRest registers a backup only once it is complete (an orphaned pgBackRest may still finish one).
    const afterCrash = await backupList(run);
    assert.deepEqual(
      afterCrash.backups.filter((b) => !b.ok || b.type !== 'full'),
      [],
      'no partial or failed backup registered',
    );
    const alertsNow = json<{ alerts: AlertResult[] }>(await run('monitor', 'alerts'));
    assert.doesNotMatch(
      alertsNow.alerts.find((a) => a.name === 'backupAgeH')!.detail,
      /first backup running/,
      'a dead serve is not "running" a backup',
    );

    const next = await serve();
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const alerts = json<{ ok: boolean; alerts: AlertResult[] }>(await run('monitor', 'alerts'));
      if (alerts.ok && oneFullPerRepo(await backupList(run))) break;
      assert.ok(Date.now() < deadline, `no complete backup after the restart:\n${next.stderr}`);
      await sleep(2000);
    }
    await logged(next, /first full backup: (complete|not needed)/);
    t.diagnostic(
      `registered right after the kill: ${afterCrash.backups.length} backup(s); then ${firstBackupLines(next)}`,
    );
    const verify = await run('backup', 'verify');
    assert.equal(verify.code, 0, verify.stdout);
    assert.equal(await next.stop(), 0, next.stderr);
  });
});
