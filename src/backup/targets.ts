import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { LocalInstance } from '../cluster/local/localCluster.js';
import { postmasterPid } from '../cluster/local/postmaster.js';
import { PatroniLocator } from '../cluster/patroni/locator.js';
import { isHa, nodePaths } from '../cluster/patroni/paths.js';
import type { ConnTarget } from '../db/connection.js';

/** A PostgreSQL data dir pgBackRest backs up from (pgN-* options). */
export interface PgTarget {
  name: string;
  pgdata: string;
  port: number;
  socketDir: string;
}

/** The HA nodes when the data dir runs the HA topology, else the local primary (and replica if cloned). */
export function pgTargets(cfg: Readonly<Config>): PgTarget[] {
  if (isHa(cfg)) {
    return cfg.ha.nodes.map((n) => {
      const p = nodePaths(cfg, n);
      return { name: n.name, pgdata: p.pgdata, port: n.pgPort, socketDir: p.socketDir };
    });
  }
  return ['primary', 'replica']
    .map((name) => new LocalInstance(cfg, name))
    .filter((i) => i.name === 'primary' || existsSync(path.join(i.paths.pgdata, 'PG_VERSION')))
    .map((i) => ({ name: i.name, pgdata: i.paths.pgdata, port: i.port, socketDir: i.paths.socketDir }));
}

/** True when the target's postmaster is alive (pgBackRest needs a running server for backups). */
export const targetRunning = (t: PgTarget): boolean => postmasterPid(t.pgdata) !== undefined;

/**
 * A superuser connection to the current primary: the Patroni leader in the HA
 * topology, else the local primary (`port` overrides, e.g. another server).
 */
export async function primaryTarget(cfg: Readonly<Config>, database: string, port?: number): Promise<ConnTarget> {
  const base = new LocalInstance(cfg, 'primary', port).target(database);
  if (port || !isHa(cfg)) return base;
  const leader = await new PatroniLocator(cfg).primary();
  return { ...base, host: leader.host, port: leader.port };
}
