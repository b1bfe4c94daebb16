import type { Config } from '../../config/schema.js';
import { scaledProfile, type MemoryProfile } from './memoryProfile.js';
import { serverBinaries } from './pgCtl.js';
import { serverParameters, type ServerParameters } from './serverParameters.js';
import { ensureTls, type TlsFiles } from './tls.js';
import { archiveParameters } from './walArchive.js';

/** Where one server runs: its port, socket dir, data dir and the name its WAL spool is kept under. */
export interface InstanceAt {
  port: number;
  socketDir: string;
  pgdata: string;
  node: string;
}

/**
 * The memory profile of each of `servers` PostgreSQL servers sharing this
 * machine: the plan's 16 GB figures scaled to the machine's RAM (or
 * server.memoryMb) divided among them. The plain cluster's primary and
 * replica each take the whole (1); the HA nodes share it.
 */
export function memoryFor(cfg: Readonly<Config>, servers = 1): MemoryProfile {
  const whole = scaledProfile(cfg.server);
  return servers <= 1 ? whole : scaledProfile({ ...cfg.server, memoryMb: Math.floor(whole.memoryMb / servers) });
}

/**
 * The parameters one server runs with: plan §5.1/§10.3/§3.2 (serverParameters)
 * at its port and socket dir, plus WAL archiving unless `archive` is false.
 * The one composition shared by the plain instances, the Patroni nodes and
 * restored clusters.
 */
export async function instanceParameters(
  cfg: Readonly<Config>,
  at: InstanceAt,
  opts: { servers?: number; tls?: TlsFiles; archive?: boolean } = {},
): Promise<ServerParameters> {
  const { bins, user } = serverBinaries(cfg);
  return {
    ...serverParameters({
      server: cfg.server,
      memory: memoryFor(cfg, opts.servers),
      tls: opts.tls ?? (await ensureTls(cfg.dataDir, user)),
      port: at.port,
      socketDir: at.socketDir,
      pgauditAvailable: bins.hasLibrary('pgaudit'),
    }),
    ...(opts.archive === false ? {} : archiveParameters(cfg, at)),
  };
}
