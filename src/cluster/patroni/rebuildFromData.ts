import { renameSync } from 'node:fs';
import type { Config } from '../../config/schema.js';
import { BillInquiryError } from '../../errors.js';
import { fileStamp, setAside } from '../../system/setAside.js';
import { etcdUrl, startEtcd } from './etcd.js';
import { PATRONI_NAMESPACE } from './config.js';
import { nodePaths } from './paths.js';
import type { HaStatus } from './status.js';
import { haDown, haUp } from './lifecycle.js';

export interface HaRebuild {
  status: HaStatus;
  /** The member that took the data over (the first node). */
  leader: string;
  /** Every member's previous data dir, kept beside under a dated name. */
  previous: Record<string, string>;
}

/**
 * Rebuilds the HA topology around one data directory (a verified PITR
 * restore, plan §9.2 data corruption): every Patroni stops with its
 * PostgreSQL, the cluster's state is removed from etcd, the members' data
 * dirs are kept beside, the restored data becomes the first node's, and the
 * topology starts again. Patroni on the first node finds data but no cluster
 * in etcd, so it registers that data as the cluster and leads; the other
 * members start empty and clone from it (pg_basebackup).
 */
export async function rebuildHaFrom(
  cfg: Readonly<Config>,
  pgdata: string,
  log: (m: string) => void = () => {},
): Promise<HaRebuild> {
  const [first] = cfg.ha.nodes;
  log('stopping every Patroni member');
  await haDown(cfg);
  if (cfg.ha.manageEtcd) await startEtcd(cfg);
  await forgetCluster(cfg);
  const stamp = fileStamp();
  const previous: Record<string, string> = {};
  for (const n of cfg.ha.nodes) {
    const aside = setAside(nodePaths(cfg, n).pgdata, stamp);
    if (aside) previous[n.name] = aside;
  }
  try {
    renameSync(pgdata, nodePaths(cfg, first!).pgdata);
  } catch (e) {
    for (const n of cfg.ha.nodes) if (previous[n.name]) renameSync(previous[n.name]!, nodePaths(cfg, n).pgdata);
    throw new BillInquiryError(
      'SWITCH_MOVE',
      `cannot move ${pgdata} to ${nodePaths(cfg, first!).pgdata}: ${(e as Error).message}`,
      'restore --into a directory on the same file system as the data dir',
      { cause: e },
    );
  }
  log(`${first!.name} takes the restored data over; the other members clone from it`);
  return { status: await haUp(cfg, { log }), leader: first!.name, previous };
}

/** Deletes the scope's keys (leader, members, initialize, config…) through etcd's v3 JSON gateway. */
async function forgetCluster(cfg: Readonly<Config>): Promise<void> {
  const prefix = `${PATRONI_NAMESPACE}${cfg.ha.scope}/`;
  // The range end of a prefix: the prefix with its last byte incremented.
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const res = await fetch(`${etcdUrl(cfg)}/v3/kv/deleterange`, {
    method: 'POST',
    body: JSON.stringify({ key: b64(prefix), range_end: b64(end) }),
    signal: AbortSignal.timeout(5000),
  }).catch((e: unknown) => {
    throw new BillInquiryError(
      'ETCD_DOWN',
      `etcd is not reachable at ${etcdUrl(cfg)}: ${(e as Error).message}`,
      'start etcd, then run restore --switch again',
      { cause: e },
    );
  });
  if (!res.ok)
    throw new BillInquiryError(
      'ETCD_DELETE',
      `etcd refused to delete the cluster state under ${prefix}: HTTP ${res.status}`,
      `see the etcd log; with etcdctl: etcdctl del --prefix ${prefix}`,
    );
}
