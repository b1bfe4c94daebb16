import { LocalInstance } from '../cluster/local/localCluster.js';
import type { Config } from '../config/schema.js';
import { applyDatabase, type ApplyResult } from './apply.js';

export interface LocalDatabase {
  primary: LocalInstance;
  replica?: LocalInstance;
  apply: ApplyResult;
}

/**
 * `npm start` / `bill-inquiry serve`: the local cluster initialized and
 * running, the database applied as the local superuser, and optionally a
 * streaming read replica (cloned after apply, so it starts with the schema).
 */
export async function ensureLocalDatabase(
  cfg: Readonly<Config>,
  opts: { replica?: boolean; onProgress?: (msg: string) => void } = {},
): Promise<LocalDatabase> {
  const say = opts.onProgress ?? (() => {});
  const primary = new LocalInstance(cfg, 'primary');
  if (await primary.init()) say(`initialized ${primary.paths.pgdata}`);
  await primary.start();
  const bins = primary.binaries();
  say(`PostgreSQL ${bins.version} (${bins.source}, ${bins.binDir}) primary on ${cfg.cluster.host}:${primary.port}`);
  const apply = await applyDatabase(cfg, primary.target(), { onProgress: opts.onProgress });
  say(
    apply.changes.length
      ? `applied ${apply.changes.length} change(s) to ${cfg.database.name}`
      : `${cfg.database.name} already matches the plan`,
  );
  if (!opts.replica) return { primary, apply };
  const replica = new LocalInstance(cfg, 'replica');
  if (await replica.initReplicaOf(primary)) say(`replica cloned into ${replica.paths.pgdata}`);
  await replica.start();
  say(`PostgreSQL replica on ${cfg.cluster.host}:${replica.port}`);
  return { primary, replica, apply };
}
