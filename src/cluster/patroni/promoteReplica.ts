import type { Config } from '../../config/schema.js';
import { BillInquiryError } from '../../errors.js';
import { serverUser } from '../../system/osUser.js';
import { run } from '../../system/run.js';
import { findPgBinaries } from '../local/pgBinaries.js';
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
  const user = serverUser(cfg.cluster.osUser);
  const pgCtl = findPgBinaries(cfg.cluster, user).bin('pg_ctl');
  await stopDaemon(p.pidFile, PROMOTE_TIMEOUT_S * 1000);
  await run(pgCtl, ['-D', p.pgdata, '-l', `${p.root}/promoted.log`, '-w', '-t', String(PROMOTE_TIMEOUT_S), 'start'], {
    as: user,
  });
  await run(pgCtl, ['-D', p.pgdata, '-w', '-t', String(PROMOTE_TIMEOUT_S), 'promote'], { as: user });
  return { node: node.name, port: node.pgPort };
}
