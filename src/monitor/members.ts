import { existsSync } from 'node:fs';
import path from 'node:path';
import { LocalInstance } from '../cluster/local/localCluster.js';
import { isHa, nodePaths } from '../cluster/patroni/paths.js';
import { haStatus } from '../cluster/patroni/status.js';
import type { Config } from '../config/schema.js';
import type { ConnTarget } from '../db/connection.js';
import { monitorTarget } from './db/monitorTarget.js';

/** One database server the monitor watches, whatever runs it (plain local cluster or Patroni). */
export interface MemberSource {
  name: string;
  port: number;
  pgdata: string;
  /** Server log directory (logging_collector, log_directory = 'log'). */
  logDir: string;
  /** Process alive (plain cluster) or running/streaming as Patroni reports. */
  running: boolean;
  /** Throws when the monitoring role's password is not there (before `db apply`). */
  target(): ConnTarget;
}

const LOCAL_NAMES = ['primary', 'replica'] as const;

/** The members of this data dir's topology: Patroni nodes after `cluster up --ha`, else the local primary (+ replica). */
export async function memberSources(cfg: Readonly<Config>): Promise<MemberSource[]> {
  return isHa(cfg) ? haMembers(cfg) : localMembers(cfg);
}

async function localMembers(cfg: Readonly<Config>): Promise<MemberSource[]> {
  const instances = LOCAL_NAMES.map((n) => new LocalInstance(cfg, n)).filter(
    (i) => i.name === 'primary' || i.initialized,
  );
  return Promise.all(
    instances.map(async (i) => ({
      name: i.name,
      port: i.port,
      pgdata: i.paths.pgdata,
      logDir: path.join(i.paths.pgdata, 'log'),
      running: (await i.status()).running,
      target: () => monitorTarget(cfg, i),
    })),
  );
}

async function haMembers(cfg: Readonly<Config>): Promise<MemberSource[]> {
  const status = await haStatus(cfg).catch(() => undefined);
  return cfg.ha.nodes.map((node) => {
    const m = status?.members.find((x) => x.name === node.name);
    // Same TLS CA and role secrets as the plain cluster: a LocalInstance on the node's port yields its target.
    const inst = new LocalInstance(cfg, node.name, node.pgPort);
    const pgdata = nodePaths(cfg, node).pgdata;
    return {
      name: node.name,
      port: node.pgPort,
      pgdata,
      logDir: path.join(pgdata, 'log'),
      running: !!m && ['running', 'streaming'].includes(m.state),
      target: () => monitorTarget(cfg, inst),
    };
  });
}

/** Where disk usage is measured: the first member's data directory, or the nearest existing parent (before initdb). */
export function dataPath(cfg: Readonly<Config>): string {
  let p = isHa(cfg) ? nodePaths(cfg, cfg.ha.nodes[0]!).pgdata : new LocalInstance(cfg, 'primary').paths.pgdata;
  while (!existsSync(p) && path.dirname(p) !== p) p = path.dirname(p);
  return p;
}
