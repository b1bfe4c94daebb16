import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import type { ConnTarget } from '../db/connection.js';
import { openTopology } from '../topology/open.js';
import type { Topology } from '../topology/types.js';
import { monitorTarget } from './db/monitorTarget.js';

/** One database server the monitor watches, whatever runs it (plain, Patroni, external). */
export interface MemberSource {
  name: string;
  port: number;
  /** Data directory, when the member runs on this machine. */
  pgdata?: string;
  /** Server log directory (logging_collector, log_directory = 'log'), when the member runs on this machine. */
  logDir?: string;
  /** Process alive (plain), running/streaming as Patroni reports, or answering (external). */
  running: boolean;
  /** Throws when the monitoring role's password is not there (before `db apply`). */
  target(): ConnTarget;
}

/** Every member of the data dir's topology (see src/topology): the monitor sees all of them. */
export async function memberSources(
  cfg: Readonly<Config>,
  topology: Topology = openTopology(cfg),
): Promise<MemberSource[]> {
  return (await topology.memberStates()).map((m) => ({
    name: m.name,
    port: m.endpoint.port,
    ...(m.files ? { pgdata: m.files.pgdata, logDir: m.files.logDir } : {}),
    running: m.running,
    target: () => monitorTarget(cfg, topology, m),
  }));
}

/** Where disk usage is measured: the first member's data directory, or the nearest existing parent (before initdb; external: the data dir). */
export async function dataPath(cfg: Readonly<Config>, topology: Topology = openTopology(cfg)): Promise<string> {
  let p = (await topology.members()).find((m) => m.files)?.files?.pgdata ?? cfg.dataDir;
  while (!existsSync(p) && path.dirname(p) !== p) p = path.dirname(p);
  return p;
}
