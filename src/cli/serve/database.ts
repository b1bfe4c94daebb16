import { backupsConfigured, startFirstBackup, type FirstBackupJob } from '../../backup/firstBackup.js';
import { Supervisor, type SupervisionStats } from '../../cluster/local/supervisor.js';
import type { Config } from '../../config/schema.js';
import type { ConnTarget } from '../../db/connection.js';
import { applyDatabase } from '../../platform/apply.js';
import { openTopology } from '../../topology/open.js';
import type { Topology } from '../../topology/types.js';
import { bringUp, requireLocal } from '../bringUp.js';
import { logSupervisor } from '../supervision.js';
import { claimOwnership, deadOwner, releaseOwnership } from '../../topology/owner.js';

/** The database `serve` runs on, and what serve owns of it. */
export interface ServeDatabase {
  topology: Topology;
  /** Superuser connection to the current primary for the partition job; undefined for an external database (`db maintain` keeps it). */
  admin?: () => Promise<ConnTarget>;
  /** The supervisor of what serve started (undefined when it started nothing or supervision is off). */
  supervision?: () => SupervisionStats;
  /** Stops supervising, then stops exactly what serve started; leaves a cluster it found running alone. */
  stop(): Promise<{ stopped: boolean }>;
  /** Subscribe to supervisor events (the workers pool forwards the figures). */
  supervisor?: Supervisor;
}

/**
 * `serve`'s database, on whatever topology the data dir and config say
 * (`--ha` asks for Patroni on a fresh data dir): brought up and the plan
 * applied when this tool runs it; nothing started or applied for an external
 * one. Only what this call started is supervised and later stopped: a second
 * `serve` on a running cluster uses it as it is — unless the serve that
 * started it died (see owner.ts): then this one takes the servers over.
 */
export async function prepareDatabase(
  cfg: Readonly<Config>,
  opts: { ha?: boolean; replica?: boolean; log: (msg: string) => void },
): Promise<ServeDatabase> {
  const log = opts.log;
  const topology = openTopology(cfg, opts.ha ? 'ha' : undefined);
  if (!topology.local) {
    const ext = cfg.service.database!;
    const how = ext.patroni
      ? `Patroni REST ${ext.patroni.urls.join(', ')}`
      : ext.hosts
        ? `hosts ${ext.hosts.map((h) => `${h.host}:${h.port}`).join(', ')} (primary = not in recovery)`
        : `${ext.primary!.host}:${ext.primary!.port}`;
    log(`external database (service.database, ${how}): nothing started, applied or supervised`);
    return { topology, stop: async () => ({ stopped: false }) };
  }
  const orphanedBy = deadOwner(cfg);
  if (orphanedBy) log(`the serve that started these servers (pid ${orphanedBy}) died: taking them over`);
  const up = await bringUp(requireLocal(topology), {
    ...(opts.replica ? { replica: true } : {}),
    ...(orphanedBy ? { takeOver: true } : {}),
    log,
  });
  if (up.started) claimOwnership(cfg);
  try {
    const primary = await topology.locator.primary();
    log(
      `${topology.kind} topology: primary on ${primary.host}:${primary.port}${up.started ? ' (started by serve)' : ' (was running)'}`,
    );
    const applied = await applyDatabase(cfg, await topology.admin(), { onProgress: log });
    log(
      applied.changes.length
        ? `applied ${applied.changes.length} change(s) to ${cfg.database.name}`
        : `${cfg.database.name} already matches the plan`,
    );
  } catch (e) {
    await up.stopStarted(); // nothing of a failed start is left running
    if (up.started) releaseOwnership(cfg);
    throw e;
  }
  const supervisor =
    up.started && cfg.cluster.supervise.enabled && up.supervised.length
      ? logSupervisor(new Supervisor(up.supervised, cfg.cluster.supervise), log).start()
      : undefined;
  if (supervisor) log(`supervising ${up.supervised.map((s) => s.name).join(', ')}: restarted should they die`);
  else if (!up.started) log('the cluster was running before serve: serve does not supervise or stop it');
  const firstBackup = firstBackupJob(cfg, log);
  return {
    topology,
    admin: () => topology.admin(cfg.database.name),
    ...(supervisor ? { supervisor, supervision: () => supervisor.stats() } : {}),
    stop: async () => {
      await firstBackup?.stop(); // before the servers it reads from go away
      await supervisor?.stop();
      await up.stopStarted();
      if (up.started) releaseOwnership(cfg);
      return { stopped: up.started };
    },
  };
}

/**
 * The first full backup, in the background once the database is applied
 * (backup.firstBackup): only where pgBackRest is set up for this cluster; it
 * takes nothing where every repository already holds a backup.
 */
function firstBackupJob(cfg: Readonly<Config>, log: (msg: string) => void): FirstBackupJob | undefined {
  if (!cfg.backup.firstBackup.enabled) return undefined;
  if (!backupsConfigured(cfg)) return undefined; // archiving off: `cluster up` said why
  return startFirstBackup(cfg, log);
}
