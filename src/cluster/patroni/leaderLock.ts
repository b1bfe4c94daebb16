import type { Config } from '../../config/schema.js';
import type { HaNodeConfig } from '../../config/sections/ha.js';
import { poll } from '../../system/poll.js';
import { postmasterPid } from '../local/postmaster.js';
import { PATRONI_NAMESPACE } from './config.js';
import { etcdUrl } from './etcd.js';
import { nodePaths } from './paths.js';

const ETCD_TIMEOUT_MS = 3000;
const POSTMASTER_EXIT_WAIT_MS = 2000;
const b64 = (s: string) => Buffer.from(s).toString('base64');

/**
 * A node whose Patroni AND PostgreSQL both died (kill -9 of the whole node)
 * still holds the leader key until its etcd lease expires (ha.ttl, 10 s): no
 * failover happens before that, and a Patroni started again on the node
 * cannot release the key either — it is bound to the dead process's lease
 * (Patroni 3.0: "I am the leader but not owner of the lease"), so it renews it
 * and recovers the crashed primary in place. Before such a node's Patroni is
 * started again, the key is deleted here — only if it still names this node
 * and its postmaster is gone, so no running primary can be split from its
 * lock: the synchronous standby (which has every acknowledged commit) takes
 * over within one loop_wait, as after a postmaster crash.
 */
export async function releaseDeadLeaderLock(cfg: Readonly<Config>, node: HaNodeConfig): Promise<boolean> {
  // Killed together with its Patroni, the postmaster may take a moment to be gone; one that lives on is a
  // running primary whose Patroni alone died: the Patroni started again takes it over, lock and all.
  const pgdata = nodePaths(cfg, node).pgdata;
  const gone = await poll(() => postmasterPid(pgdata) === undefined, {
    timeoutMs: POSTMASTER_EXIT_WAIT_MS,
    intervalMs: 50,
  });
  if (!gone) return false;
  const key = b64(`${PATRONI_NAMESPACE}${cfg.ha.scope}/leader`);
  try {
    const res = await fetch(`${etcdUrl(cfg)}/v3/kv/txn`, {
      method: 'POST',
      body: JSON.stringify({
        compare: [{ key, target: 'VALUE', result: 'EQUAL', value: b64(node.name) }],
        success: [{ requestDeleteRange: { key } }],
      }),
      signal: AbortSignal.timeout(ETCD_TIMEOUT_MS),
    });
    return res.ok && ((await res.json()) as { succeeded?: boolean }).succeeded === true;
  } catch {
    return false; // etcd unreachable: the lease expires by itself
  }
}
