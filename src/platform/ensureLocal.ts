import type { LocalInstance } from '../cluster/local/localCluster.js';
import type { Config } from '../config/schema.js';
import { PlainTopology } from '../topology/plain.js';
import { applyDatabase, type ApplyResult } from './apply.js';

export interface LocalDatabase {
  primary: LocalInstance;
  replica?: LocalInstance;
  apply: ApplyResult;
}

/**
 * The plain topology up and the database applied as its superuser, optionally
 * with the streaming read replica (cloned after apply, so it starts with the
 * schema) — for the bench and tests that compose the service themselves
 * (`serve` does the same through cli/serve/database.ts, on any topology).
 */
export async function ensureLocalDatabase(
  cfg: Readonly<Config>,
  opts: { replica?: boolean; onProgress?: (msg: string) => void } = {},
): Promise<LocalDatabase> {
  const say = opts.onProgress ?? (() => {});
  const topology = new PlainTopology(cfg);
  await topology.up({ log: say });
  const apply = await applyDatabase(cfg, await topology.admin(), { onProgress: opts.onProgress });
  say(
    apply.changes.length
      ? `applied ${apply.changes.length} change(s) to ${cfg.database.name}`
      : `${cfg.database.name} already matches the plan`,
  );
  if (!opts.replica) return { primary: topology.instance('primary'), apply };
  await topology.up({ replica: true, log: say });
  return { primary: topology.instance('primary'), replica: topology.instance('replica'), apply };
}
