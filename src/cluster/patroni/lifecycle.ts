import { chownSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Config } from '../../config/schema.js';
import type { HaNodeConfig } from '../../config/sections/ha.js';
import { BillInquiryError } from '../../errors.js';
import { portInUse } from '../../system/freePort.js';
import { ensureDir, serverUser, type OsUser } from '../../system/osUser.js';
import { waitUntil } from '../../system/poll.js';
import { SecretStore } from '../../system/secrets.js';
import { instanceParameters } from '../local/instanceParameters.js';
import { REPLICATION_SECRET, SUPERUSER_SECRET } from '../local/localCluster.js';
import { PgCtl, serverBinaries } from '../local/pgCtl.js';
import { postmasterPid } from '../local/postmaster.js';
import { ensureTls } from '../local/tls.js';
import { REST_SECRET, renderPatroniConfig } from './config.js';
import { livePid, startDaemon, stopDaemon } from './daemon.js';
import { etcdHealthy, etcdUrl, startEtcd, stopEtcd } from './etcd.js';
import { releaseDeadLeaderLock } from './leaderLock.js';
import { etcdPaths, haRoot, nodePaths, topologyFile } from './paths.js';
import { nodeApi, patroniRequest } from './rest.js';
import { haStatus, type HaStatus } from './status.js';

export interface HaUpOptions {
  log?: (m: string) => void;
  /**
   * Runs once the data dir is marked HA and before any node is configured:
   * the caller writes what the nodes' parameters depend on (the pgBackRest
   * config their archive_command names).
   */
  beforeStart?: () => void | Promise<void>;
}

/**
 * etcd, then the first node (bootstraps and becomes leader), then the
 * standbys (pg_basebackup from the leader through Patroni); returns when every
 * member runs and the synchronous standby is attached.
 */
export async function haUp(cfg: Readonly<Config>, opts: HaUpOptions = {}): Promise<HaStatus> {
  const log = opts.log ?? (() => {});
  const { bins, user } = serverBinaries(cfg);
  if (!bins.has('pg_basebackup') || !bins.has('pg_rewind')) {
    throw new BillInquiryError(
      'HA_BINARIES',
      `the ${bins.source} PostgreSQL in ${bins.binDir} lacks pg_basebackup/pg_rewind`,
      'install PostgreSQL (apt-get install postgresql) for HA',
    );
  }
  const [first, ...rest] = cfg.ha.nodes;
  await ensureEtcd(cfg, log);
  ensureDir(haRoot(cfg), 0o755);
  writeFileSync(topologyFile(cfg), `${JSON.stringify({ nodes: cfg.ha.nodes, etcd: etcdUrl(cfg) }, null, 2)}\n`);
  await opts.beforeStart?.();
  const tls = await ensureTls(cfg.dataDir, user);
  const survivors = cfg.ha.nodes.filter((n) => livePid(nodePaths(cfg, n).pidFile));
  for (const node of cfg.ha.nodes) await prepareNode(cfg, node, user, bins.binDir, tls);
  if (survivors.length === 0) {
    await startNode(cfg, first!, user);
    await waitFor(cfg, `${first!.name} to become leader`, async () => (await probe(cfg, first!, '/primary')) === 200);
    log(`${first!.name} is the leader`);
    await Promise.all(rest.map((n) => startNode(cfg, n, user)));
  } else {
    // A running cluster keeps its leader: lost members start and rejoin it as replicas (pg_rewind when needed).
    for (const n of cfg.ha.nodes.filter((x) => !survivors.includes(x))) {
      log(`starting ${n.name}: it rejoins the running cluster`);
      await startNode(cfg, n, user);
    }
  }
  await waitFor(cfg, 'all members to stream and a synchronous standby to attach', async () => {
    const s = await haStatus(cfg);
    return s.ok && (!cfg.ha.synchronousMode || !!s.syncStandby);
  });
  return haStatus(cfg);
}

/**
 * Patroni first (each stops its PostgreSQL cleanly), then any PostgreSQL left
 * running outside Patroni (a replica promoted by `promote-replica`), then etcd.
 */
export async function haDown(cfg: Readonly<Config>): Promise<void> {
  const replicasFirst = [...cfg.ha.nodes].reverse();
  await Promise.all(replicasFirst.map((n) => stopDaemon(nodePaths(cfg, n).pidFile, cfg.ha.startTimeoutS * 1000)));
  const { bins, user } = serverBinaries(cfg);
  for (const n of replicasFirst) await new PgCtl(nodePaths(cfg, n).pgdata, bins, user).stop('fast');
  if (cfg.ha.manageEtcd) await stopEtcd(cfg);
}

async function ensureEtcd(cfg: Readonly<Config>, log: (m: string) => void): Promise<void> {
  if (cfg.ha.manageEtcd) {
    if (!livePid(etcdPaths(cfg).pidFile)) log(`starting etcd on ${etcdUrl(cfg)}`);
    await startEtcd(cfg);
  } else if (!(await etcdHealthy(cfg))) {
    throw new BillInquiryError(
      'ETCD_DOWN',
      `etcd is not reachable at ${etcdUrl(cfg)}: Patroni cannot elect a leader without it`,
      'start etcd (or set ha.manageEtcd=true to let the tool run one), then retry',
    );
  }
}

async function prepareNode(
  cfg: Readonly<Config>,
  node: HaNodeConfig,
  user: OsUser | undefined,
  binDir: string,
  tls: Awaited<ReturnType<typeof ensureTls>>,
): Promise<void> {
  const p = nodePaths(cfg, node);
  if (livePid(p.pidFile)) return;
  const pmPid = postmasterPid(p.pgdata);
  if (pmPid !== undefined) {
    throw new BillInquiryError(
      'DATA_DIR_IN_USE',
      `${p.pgdata} is in use by a PostgreSQL (pid ${pmPid}) that this tool's Patroni does not manage`,
      'stop that server first (pg_ctl stop -D …) or use another --data-dir',
    );
  }
  for (const port of [node.pgPort, node.restPort]) {
    if (await portInUse(port)) {
      throw new BillInquiryError(
        'PORT_IN_USE',
        `port ${port} on 127.0.0.1 (HA ${node.name}) is already in use by another program`,
        'free it or change ha.nodes[].pgPort / restPort',
      );
    }
  }
  ensureDir(p.root, 0o700, user);
  ensureDir(p.socketDir, 0o700, user);
  const secrets = new SecretStore(cfg.dataDir);
  // The nodes share this machine's memory: each gets its part of the plan's profile.
  const parameters = await instanceParameters(
    cfg,
    { port: node.pgPort, socketDir: p.socketDir, pgdata: p.pgdata, node: node.name },
    { servers: cfg.ha.nodes.length, tls },
  );
  const text = renderPatroniConfig(cfg, {
    node,
    paths: p,
    binDir,
    tls,
    parameters,
    superuserPassword: secrets.get(SUPERUSER_SECRET),
    replicationPassword: secrets.get(REPLICATION_SECRET),
    restPassword: secrets.get(REST_SECRET),
  });
  writeFileSync(p.config, text, { mode: 0o600 });
  if (user) chownSync(p.config, user.uid, user.gid);
}

/**
 * Starts a node's Patroni with the config `cluster up --ha` wrote (no-op
 * while it runs): also how a supervisor brings back a Patroni that died; it
 * rejoins the running cluster by itself. A node that died whole first gives
 * up the leader lock it may still hold (leaderLock.ts).
 */
export async function startNode(
  cfg: Readonly<Config>,
  node: HaNodeConfig,
  user = serverUser(cfg.cluster.osUser),
): Promise<void> {
  const p = nodePaths(cfg, node);
  if (livePid(p.pidFile)) return;
  await releaseDeadLeaderLock(cfg, node);
  startDaemon('patroni', [p.config], { as: user, log: p.log, pidFile: p.pidFile });
}

/** HTTP status of a REST probe, 0 when the node does not answer. */
export async function probe(cfg: Readonly<Config>, node: HaNodeConfig, urlPath: string): Promise<number> {
  try {
    return (await patroniRequest(nodeApi(cfg, node), 'GET', urlPath, { timeoutMs: cfg.ha.locatorProbeTimeoutMs }))
      .status;
  } catch {
    return 0;
  }
}

const WAIT_INTERVAL_MS = 250;

/** Waits up to ha.startTimeoutS for `check`; a Patroni that exits meanwhile ends the wait with its log. */
export async function waitFor(cfg: Readonly<Config>, what: string, check: () => Promise<boolean>): Promise<void> {
  await waitUntil(check, {
    timeoutMs: cfg.ha.startTimeoutS * 1000,
    intervalMs: WAIT_INTERVAL_MS,
    abort: () => {
      const exited = cfg.ha.nodes.find((n) => {
        const p = nodePaths(cfg, n);
        return existsSync(p.pidFile) && !livePid(p.pidFile);
      });
      if (!exited) return undefined;
      const p = nodePaths(cfg, exited);
      return new BillInquiryError(
        'PATRONI_EXITED',
        `Patroni ${exited.name} exited while waiting for ${what}: ${tail(p.log)}`,
        `see ${p.log}`,
      );
    },
    onTimeout: () =>
      new BillInquiryError(
        'HA_TIMEOUT',
        `timed out after ${cfg.ha.startTimeoutS}s waiting for ${what}`,
        `see the Patroni logs under ${haRoot(cfg)}`,
      ),
  });
}

/** The live postmaster of a node (for drills that crash it). */
export const nodePostmasterPid = (cfg: Readonly<Config>, node: HaNodeConfig): number | undefined =>
  postmasterPid(nodePaths(cfg, node).pgdata);

/** The live Patroni daemon of a node. */
export const nodePatroniPid = (cfg: Readonly<Config>, node: HaNodeConfig): number | undefined =>
  livePid(nodePaths(cfg, node).pidFile);

function tail(file: string, lines = 5): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join(' | ') : '(no log)';
}
