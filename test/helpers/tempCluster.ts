import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { LocalInstance } from '../../src/cluster/local/localCluster.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config, ConfigInput } from '../../src/config/schema.js';
import type { ConnTarget } from '../../src/db/connection.js';
import { freePort } from '../../src/system/freePort.js';
import { SecretStore } from '../../src/system/secrets.js';

/** Servers started by this test process and their temp dirs; cleaned at exit even when a test fails or throws. */
const live = new Set<LocalInstance>();
const dirs = new Set<string>();
process.once('exit', () => {
  for (const inst of live) {
    const bins = inst.state?.binDir;
    if (!bins) continue;
    const asUser = inst.user ? { uid: inst.user.uid, gid: inst.user.gid } : {};
    spawnSync(path.join(bins, 'pg_ctl'), ['-D', inst.paths.pgdata, '-m', 'immediate', 'stop'], {
      stdio: 'ignore',
      ...asUser,
    });
  }
  // Removed last, after every `after` hook has stopped its servers: a hook-time rm could race a
  // server (or pgBackRest's async archiver) still writing into the dir.
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 10 });
    } catch (e) {
      process.stderr.write(`warning: could not remove ${dir}: ${(e as Error).message}\n`);
    }
  }
});

/** A fresh temp data dir (world-traversable so the unprivileged server user reaches it), removed when the test file's process exits. */
export function tempDataDir(prefix = 'bi-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o755);
  dirs.add(dir);
  return dir;
}

/** Config for tests: temp data dir, random free ports, small memory profile. */
export async function testConfig(overrides: ConfigInput = {}): Promise<Readonly<Config>> {
  const dataDir = tempDataDir();
  const [port, replicaPort] = [await freePort(), await freePort()];
  return loadConfig({
    env: {},
    overrides: deepMerge(
      // No first full backup by serve (tests that want backups take them): it costs minutes on 2 cores.
      {
        dataDir,
        cluster: { port, replicaPort },
        server: { memoryMb: 1024 },
        backup: { firstBackup: { enabled: false } },
      },
      overrides,
    ),
  });
}

export interface TempCluster {
  cfg: Readonly<Config>;
  primary: LocalInstance;
  replica?: LocalInstance;
  stop(): Promise<void>;
}

/** Starts a real local PostgreSQL (plus a streaming replica if asked) and stops it after the test file. */
export async function startTempCluster(
  opts: { overrides?: ConfigInput; replica?: boolean } = {},
): Promise<TempCluster> {
  const cfg = await testConfig(opts.overrides);
  const primary = track(new LocalInstance(cfg, 'primary'));
  await primary.init();
  await primary.start();
  let replica: LocalInstance | undefined;
  if (opts.replica) {
    replica = track(new LocalInstance(cfg, 'replica'));
    await replica.initReplicaOf(primary);
    await replica.start();
  }
  const stop = async () => {
    for (const inst of [replica, primary]) if (inst) await inst.stop('fast').finally(() => live.delete(inst));
  };
  after(stop);
  return { cfg, primary, replica, stop };
}

export function track(inst: LocalInstance): LocalInstance {
  live.add(inst);
  return inst;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      prev && typeof prev === 'object' && v && typeof v === 'object' && !Array.isArray(v)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** The superuser of a data dir's servers on one of them (TLS verified against the data dir's CA). */
export const superuserOn = (dataDir: string, port: number, database = 'postgres'): ConnTarget => ({
  host: '127.0.0.1',
  port,
  database,
  user: 'postgres',
  password: new SecretStore(dataDir).get('postgres-superuser'),
  caFile: path.join(dataDir, 'tls', 'ca.crt'),
});
