import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { etcdPaths, nodePaths } from '../../src/cluster/patroni/paths.js';
import { freePort } from '../../src/system/freePort.js';
import { cli, type CliResult } from './cli.js';
import { tempDataDir } from './tempCluster.js';

/** Data dirs whose daemons must not outlive the test process, even when a test throws. */
const live = new Set<Readonly<Config>>();
process.once('exit', () => {
  for (const cfg of live) killAll(cfg);
});

/** SIGKILL every Patroni, postmaster and etcd of a data dir (pid files), for crash cleanup. */
export function killAll(cfg: Readonly<Config>): void {
  const pidFiles = [
    ...cfg.ha.nodes.flatMap((n) => [nodePaths(cfg, n).pidFile, path.join(nodePaths(cfg, n).pgdata, 'postmaster.pid')]),
    etcdPaths(cfg).pidFile,
  ];
  for (const f of pidFiles) {
    if (!existsSync(f)) continue;
    const pid = Number(readFileSync(f, 'utf8').split('\n')[0]);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export interface HaTestCluster {
  cfg: Readonly<Config>;
  configFile: string;
  /** Runs the real CLI against this data dir and config. */
  cli(args: string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult>;
}

/**
 * An HA config on random free loopback ports in a temp data dir, written as a
 * JSON config file so the CLI (a child process) sees the same settings. The
 * topology is stopped after the file (`cluster down`) and killed at exit.
 */
export async function haTestConfig(overrides: Record<string, unknown> = {}): Promise<HaTestCluster> {
  const dataDir = tempDataDir('bi-ha-');
  const ports = await Promise.all(Array.from({ length: 8 }, () => freePort()));
  const input = {
    dataDir,
    server: { memoryMb: 1536 },
    // serve would take a first full backup of the three nodes: none of the HA tests needs it.
    backup: { firstBackup: { enabled: false } },
    ha: {
      etcdClientPort: ports[0],
      etcdPeerPort: ports[1],
      nodes: [
        { name: 'node1', pgPort: ports[2], restPort: ports[3], kind: 'sync' },
        { name: 'node2', pgPort: ports[4], restPort: ports[5], kind: 'sync' },
        { name: 'node3', pgPort: ports[6], restPort: ports[7], kind: 'async' },
      ],
      ...overrides,
    },
  };
  const configFile = path.join(dataDir, 'test-config.json');
  writeFileSync(configFile, JSON.stringify(input));
  const cfg = loadConfig({ file: configFile, env: {} });
  live.add(cfg);
  const run = (args: string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }) =>
    cli(['-c', configFile, ...args], { timeoutMs: 240_000, ...opts });
  after(async () => {
    await run(['cluster', 'down']);
    killAll(cfg);
    live.delete(cfg);
  });
  return { cfg, configFile, cli: run };
}
