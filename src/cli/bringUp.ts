import {
  clearBackupsUnavailable,
  markBackupsUnavailable,
  NOT_INSTALLED_FIX,
  stanzaFailureReason,
  UNSUPPORTED_VERSION_FIX,
} from '../backup/availability.js';
import { pgbackrestBinary } from '../backup/paths.js';
import { abandonArchiving, ensureStanza, prepareArchiving } from '../backup/stanza.js';
import { BillInquiryError, errorMessage } from '../errors.js';
import type { LocalTopology, Topology, UpOptions, UpResult } from '../topology/types.js';

export interface BroughtUp extends UpResult {
  /** What WAL archiving does on this cluster, in words (pgBackRest, or why it is off). */
  walArchiving: string;
}

/**
 * `cluster up` and `serve`: the topology's servers created and started, with
 * continuous WAL archiving — pgBackRest's config is written before the
 * servers start (their archive_command names it) and its stanza created
 * once they run. A pgBackRest that cannot back up these servers (e.g. it
 * predates the embedded PostgreSQL 17) switches archiving off, loudly.
 */
export async function bringUp(
  topology: Topology & { local: LocalTopology },
  opts: UpOptions & { log: (msg: string) => void },
): Promise<BroughtUp> {
  const cfg = topology.cfg;
  let archiving = false;
  const up = await topology.local.up({
    ...opts,
    beforeStart: async () => {
      archiving = await prepareArchiving(cfg);
    },
  });
  if (!archiving) return { ...up, walArchiving: archivingOff(cfg, opts.log) };
  try {
    await ensureStanza(cfg);
    clearBackupsUnavailable(cfg);
    return { ...up, walArchiving: 'pgBackRest archive-push (async)' };
  } catch (e) {
    const walArchiving = `off: pgBackRest cannot back up this cluster (${errorMessage(e)})`;
    opts.log(
      `WARNING: WAL archiving ${walArchiving} — no backups, no point-in-time recovery: ${UNSUPPORTED_VERSION_FIX}`,
    );
    markBackupsUnavailable(
      cfg,
      `pgBackRest cannot back up this cluster: ${stanzaFailureReason(e)}`,
      UNSUPPORTED_VERSION_FIX,
    );
    abandonArchiving(cfg);
    await topology.local.restart();
    return { ...up, walArchiving };
  }
}

/**
 * Archiving off before the servers start: by choice (backup.walArchiving=false,
 * said as such) or because pgBackRest is missing — a cluster without recovery,
 * recorded so monitoring is red about it (backup/availability.ts).
 */
function archivingOff(cfg: Topology['cfg'], log: (msg: string) => void): string {
  if (!cfg.backup.walArchiving || pgbackrestBinary()) {
    clearBackupsUnavailable(cfg);
    return 'off (backup.walArchiving is false)';
  }
  log(
    `WARNING: WAL archiving off: pgBackRest is not installed — no backups, no point-in-time recovery: ${NOT_INSTALLED_FIX}`,
  );
  markBackupsUnavailable(cfg, 'pgBackRest is not installed: no backups and no WAL archive', NOT_INSTALLED_FIX);
  return 'off (pgBackRest not installed)';
}

/** The topology's local lifecycle, or the error an external database gets from a command that runs servers. */
export function requireLocal(topology: Topology): Topology & { local: LocalTopology } {
  if (topology.local) return topology as Topology & { local: LocalTopology };
  throw new BillInquiryError(
    'NOT_LOCAL',
    'the database is external (service.database): this tool runs no servers for it',
    'run the cluster commands where the database runs, or drop service.database from the config',
  );
}
