import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/schema.js';
import type { HaNodeConfig } from '../../config/sections/ha.js';

/** Files of the HA topology, all under `<dataDir>/ha/`. */
export const haRoot = (cfg: Readonly<Config>): string => path.join(cfg.dataDir, 'ha');

export interface EtcdPaths {
  root: string;
  data: string;
  log: string;
  pidFile: string;
}

export const etcdPaths = (cfg: Readonly<Config>): EtcdPaths => {
  const root = path.join(haRoot(cfg), 'etcd');
  return {
    root,
    data: path.join(root, 'data'),
    log: path.join(root, 'etcd.log'),
    pidFile: path.join(root, 'etcd.pid'),
  };
};

export interface NodePaths {
  root: string;
  pgdata: string;
  socketDir: string;
  config: string;
  log: string;
  pidFile: string;
  pgpass: string;
}

export const nodePaths = (cfg: Readonly<Config>, node: HaNodeConfig): NodePaths => {
  const root = path.join(haRoot(cfg), node.name);
  return {
    root,
    pgdata: path.join(root, 'data'),
    socketDir: path.join(root, 'run'),
    config: path.join(root, 'patroni.yml'),
    log: path.join(root, 'patroni.log'),
    pidFile: path.join(root, 'patroni.pid'),
    pgpass: path.join(root, 'pgpass'),
  };
};

/** Marker written by `cluster up --ha`: later commands (status, backup, restore) know the topology is HA. */
export const topologyFile = (cfg: Readonly<Config>): string => path.join(haRoot(cfg), 'topology.json');

/** True once `cluster up --ha` has been run on this data dir. */
export const isHa = (cfg: Readonly<Config>): boolean => existsSync(topologyFile(cfg));
