import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { backupPaths } from '../src/backup/paths.js';
import { LocalInstance } from '../src/cluster/local/localCluster.js';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { applyDatabase } from '../src/platform/apply.js';
import { serverUser } from '../src/system/osUser.js';
import { freePort } from '../src/system/freePort.js';
import { cli, json, type CliResult } from './helpers/cli.js';
import { tempDataDir, track } from './helpers/tempCluster.js';

let cfg: Readonly<Config>;
let primary: LocalInstance;
const bi = (args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> =>
  cli(['--data-dir', cfg.dataDir, ...args], { env, timeoutMs: 240_000 });

// Created at top level: tempDataDir's cleanup must belong to the file, not to the before() hook.
const dataDir = tempDataDir('bi-backup-');
const restoreRoot = tempDataDir('bi-restore-');

before(async () => {
  const [port, replicaPort] = [await freePort(), await freePort()];
  const up = await cli(
    [
      '--data-dir',
      dataDir,
      '--json',
      'cluster',
      'up',
      '--port',
      String(port),
      '--replica',
      '--replica-port',
      String(replicaPort),
    ],
    {
      env: { BILL_INQUIRY__SERVER__MEMORY_MB: '1024' },
    },
  );
  assert.equal(up.code, 0, up.stderr + up.stdout);
  assert.match(json<{ walArchiving: string }>(up).walArchiving, /pgBackRest/);
  cfg = loadConfig({ env: {}, overrides: { dataDir } });
  primary = track(new LocalInstance(cfg, 'primary'));
  track(new LocalInstance(cfg, 'replica'));
  await applyDatabase(cfg, primary.target());
});
after(async () => {
  await cli(['--data-dir', cfg.dataDir, 'cluster', 'down']);
});

test('backup run writes an encrypted full backup to repo1 and repo2; list and verify see them', async () => {
  const run = await bi(['--json', 'backup', 'run', '--type', 'full']);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.deepEqual(
    json<{ repos: Array<{ repo: number }> }>(run).repos.map((r) => r.repo),
    [1, 2],
  );

  const conf = backupPaths(cfg).conf;
  assert.equal(statSync(conf).mode & 0o777, 0o600, 'pgbackrest.conf holds passphrases: 0600');
  assert.equal(statSync(conf).uid, serverUser(cfg.cluster.osUser)?.uid ?? process.getuid!());
  const text = readFileSync(conf, 'utf8');
  assert.match(text, /repo1-cipher-type=aes-256-cbc/);
  assert.match(text, /repo2-retention-full-type=time\nrepo2-retention-full=35|repo2-retention-full=35/);
  assert.match(text, /backup-standby=y/, 'the replica runs, so backups come from it');
  const backupInfoFile = path.join(backupPaths(cfg).repo(1), 'backup', cfg.backup.stanza, 'backup.info');
  assert.doesNotMatch(readFileSync(backupInfoFile, 'latin1'), /\[backrest\]/, 'repository files are encrypted at rest');

  const list = await bi(['--json', 'backup', 'list']);
  assert.equal(list.code, 0, list.stderr);
  const info = json<{
    repos: Array<{ repo: number; cipher: string; lastSuccessfulBackup?: string; walArchive?: { max: string } }>;
  }>(list);
  for (const r of info.repos) {
    assert.equal(r.cipher, 'aes-256-cbc');
    assert.ok(
      r.lastSuccessfulBackup && Date.now() - Date.parse(r.lastSuccessfulBackup) < 10 * 60_000,
      `repo${r.repo} has a fresh backup`,
    );
    assert.ok(r.walArchive?.max, `repo${r.repo} receives WAL`);
  }
  const verify = await bi(['--json', 'backup', 'verify']);
  assert.equal(verify.code, 0, verify.stderr + verify.stdout);

  const incr = await bi(['--json', 'backup', 'run', '--type', 'incr', '--repo', '1']);
  assert.equal(incr.code, 0, incr.stderr);
  const sets = json<{ backups: Array<{ repo: number; type: string }> }>(await bi(['--json', 'backup', 'list'])).backups;
  assert.ok(sets.some((b) => b.repo === 1 && b.type === 'incr'));
});

test('restore --to latest onto a separate cluster: same rows and digests, pg_amcheck clean', async () => {
  const into = path.join(restoreRoot, 'latest');
  const r = await bi(['--json', 'restore', '--to', 'latest', '--into', into]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const res = json<{
    ok: boolean;
    port: number;
    integrity: {
      tables: Array<{ database: string; table: string; rows: number; md5: string }>;
      amcheck: { ok: boolean };
    };
  }>(r);
  try {
    assert.equal(res.integrity.amcheck.ok, true);
    const sysConfig = res.integrity.tables.find((t) => t.database === cfg.database.name && t.table === 'system_config');
    assert.ok(sysConfig && sysConfig.rows > 0, 'the seeded system_config rows came back');
    const [orig] = await primary.query<{ n: string }>('SELECT count(*) AS n FROM system_config', [], cfg.database.name);
    assert.equal(sysConfig.rows, Number(orig!.n));
    const again = await bi(['restore', '--to', 'latest', '--into', into]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /already holds a PostgreSQL cluster.*new, empty --into/);
  } finally {
    await stopRestored(into);
  }
});

test('restore failure paths: target before the oldest backup, repository missing, wrong passphrase', async () => {
  const into = path.join(restoreRoot, 'failures');
  const early = await bi(['restore', '--to', '2020-01-01T00:00:00Z', '--into', into]);
  assert.notEqual(early.code, 0);
  assert.match(early.stderr, /restore target 2020-01-01T00:00:00.000Z is before the oldest backup/);

  const repo1 = backupPaths(cfg).repo(1);
  renameSync(repo1, `${repo1}.gone`);
  try {
    const missing = await bi(['restore', '--to', 'latest', '--into', into, '--repo', '1']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /backup repository .*repo1 does not exist/);
  } finally {
    renameSync(`${repo1}.gone`, repo1);
  }

  const wrong = await bi(['backup', 'list'], { BILL_INQUIRY_SECRET_PGBACKREST_REPO2_CIPHER: 'not-the-passphrase' });
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /repository 2 cannot be decrypted with the configured passphrase/);
  // Rewrites pgbackrest.conf with the stored passphrase again (archiving reads it).
  assert.equal((await bi(['backup', 'list'])).code, 0);
  assert.equal(existsSync(path.join(into, 'data', 'PG_VERSION')), false, 'nothing was restored by the failed attempts');
});

test('backup logical: encrypted pg_dump as the backup role; restore logical into a new database', async () => {
  const r = await bi(['--json', 'backup', 'logical']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const { file } = json<{ file: string }>(r);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.notEqual(
    readFileSync(file).subarray(0, 5).toString('latin1'),
    'PGDMP',
    'the dump is encrypted, not a plain custom-format archive',
  );
  const restored = await bi(['--json', 'restore', 'logical', '--file', file, '--into', 'bill_restored']);
  assert.equal(restored.code, 0, restored.stderr + restored.stdout);
  const q = "SELECT count(*) AS n, md5(string_agg(config_key, ',' ORDER BY config_key)) AS h FROM system_config";
  const [a] = await primary.query<{ n: string; h: string }>(q, [], cfg.database.name);
  const [b] = await primary.query<{ n: string; h: string }>(q, [], 'bill_restored');
  assert.deepEqual(b, a);
  const dup = await bi(['restore', 'logical', '--file', file, '--into', 'bill_restored']);
  assert.notEqual(dup.code, 0);
  assert.match(dup.stderr, /cannot create database bill_restored/);
});

test('backup schedule --print: 02:00 KST daily (full on Sunday) and weekly logical, in the host timezone', async () => {
  const utc = await cli(['--data-dir', cfg.dataDir, '--json', 'backup', 'schedule', '--print'], { env: { TZ: 'UTC' } });
  assert.equal(utc.code, 0, utc.stderr);
  const lines = json<{ lines: string[] }>(utc).lines;
  assert.match(lines[1]!, /^0 17 \* \* 6 .*backup run --type full/, 'Sunday 02:00 KST is Saturday 17:00 UTC');
  assert.match(lines[2]!, /^0 17 \* \* 0,1,2,3,4,5 .*backup run --type diff/);
  assert.match(lines[3]!, /^0 18 \* \* 6 .*backup logical/);
  const kst = json<{ lines: string[] }>(
    await cli(['--data-dir', cfg.dataDir, '--json', 'backup', 'schedule'], { env: { TZ: 'Asia/Seoul' } }),
  ).lines;
  assert.match(kst[1]!, /^0 2 \* \* 0 /);
});

async function stopRestored(into: string): Promise<void> {
  const pid = path.join(into, 'data', 'postmaster.pid');
  if (!existsSync(pid)) return;
  try {
    process.kill(Number(readFileSync(pid, 'utf8').split('\n')[0]), 'SIGINT');
  } catch {
    // already stopped
  }
}

test('backup verify fails and names the repository when a backup file is corrupted', async () => {
  const backupDir = path.join(backupPaths(cfg).repo(1), 'backup', cfg.backup.stanza);
  const label = readdirSync(backupDir)
    .filter((f) => /F$/.test(f))
    .sort()[0]!;
  const files = execFileSync('find', [path.join(backupDir, label, 'pg_data'), '-type', 'f', '-size', '+8k'], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  const victim = files[0]!;
  const fd = openSync(victim, 'r+');
  writeSync(fd, Buffer.alloc(64, 0x5a), 0, 64, 4096);
  closeSync(fd);
  const r = await bi(['--json', 'backup', 'verify']);
  assert.equal(r.code, 1, r.stdout);
  const v = json<{ ok: boolean; repos: Array<{ repo: number; ok: boolean }> }>(r);
  assert.deepEqual(
    v.repos.map((x) => [x.repo, x.ok]),
    [
      [1, false],
      [2, true],
    ],
  );
});
