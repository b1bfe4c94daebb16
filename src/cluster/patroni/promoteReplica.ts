import type { Config } from '../../config/schema.js';
import { BillInquiryError } from '../../errors.js';
import { pgCtlFor } from '../local/pgCtl.js';
import { stopDaemon } from './daemon.js';
import { nodePaths } from './paths.js';

const PROMOTE_TIMEOUT_S = 60;

/**
 * Region failure: the async read replica (the DR copy, never an election
 * candidate) leaves Patroni and becomes an independent primary. Its Patroni is
 * stopped (which stops PostgreSQL), then PostgreSQL is started directly from
 * the config Patroni wrote and promoted with pg_ctl. The old cluster must not
 * come back as primary alongside it — fence it (cluster down) first.
 */
export async function promoteHaReplica(cfg: Readonly<Config>): Promise<{ node: string; port: number }> {
  const node = cfg.ha.nodes.find((n) => n.kind === 'async');
  if (!node)
    throw new BillInquiryError(
      'NO_READ_REPLICA',
      'the HA topology has no async read replica to promote',
      'add a node with kind "async" to ha.nodes',
    );
  const p = nodePaths(cfg, node);
  const pgCtl = pgCtlFor(cfg, p.pgdata);
  await stopDaemon(p.pidFile, PROMOTE_TIMEOUT_S * 1000);
  await pgCtl.start({ logFile: `${p.root}/promoted.log`, timeoutS: PROMOTE_TIMEOUT_S });
  await pgCtl.promote(PROMOTE_TIMEOUT_S);
  return { node: node.name, port: node.pgPort };
}
