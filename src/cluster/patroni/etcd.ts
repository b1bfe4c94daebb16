import path from 'node:path';
import type { Config } from '../../config/schema.js';
import { BillInquiryError } from '../../errors.js';
import { portInUse } from '../../system/freePort.js';
import { ensureDir, serverUser } from '../../system/osUser.js';
import { waitUntil } from '../../system/poll.js';
import { livePid, startDaemon, stopDaemon } from './daemon.js';
import { etcdPaths } from './paths.js';

const ETCD_NAME = 'bill-inquiry';
const ETCD_START_TIMEOUT_MS = 15_000;

export const etcdUrl = (cfg: Readonly<Config>): string => `http://${cfg.cluster.host}:${cfg.ha.etcdClientPort}`;

/**
 * A single-member etcd on loopback (its own ports, data under the data dir) —
 * enough for one machine; production points Patroni at a 3-member etcd.
 */
export async function startEtcd(cfg: Readonly<Config>): Promise<number> {
  const p = etcdPaths(cfg);
  const running = livePid(p.pidFile);
  if (running) return running;
  for (const port of [cfg.ha.etcdClientPort, cfg.ha.etcdPeerPort]) {
    if (await portInUse(port)) {
      throw new BillInquiryError(
        'PORT_IN_USE',
        `etcd port ${port} on 127.0.0.1 is already in use by another program (a system etcd?)`,
        'stop it, or set ha.etcdClientPort / ha.etcdPeerPort',
      );
    }
  }
  const user = serverUser(cfg.cluster.osUser);
  ensureDir(path.dirname(p.root), 0o755);
  ensureDir(p.root, 0o700, user);
  const peer = `http://${cfg.cluster.host}:${cfg.ha.etcdPeerPort}`;
  const pid = startDaemon(
    'etcd',
    [
      '--name',
      ETCD_NAME,
      '--data-dir',
      p.data,
      '--listen-client-urls',
      etcdUrl(cfg),
      '--advertise-client-urls',
      etcdUrl(cfg),
      '--listen-peer-urls',
      peer,
      '--initial-advertise-peer-urls',
      peer,
      '--initial-cluster',
      `${ETCD_NAME}=${peer}`,
      '--initial-cluster-state',
      'new',
      '--listen-metrics-urls',
      '',
    ],
    { as: user, log: p.log, pidFile: p.pidFile, env: { ETCD_UNSUPPORTED_ARCH: '' } },
  );
  const failed = () =>
    new BillInquiryError('ETCD_START', `etcd did not become healthy on ${etcdUrl(cfg)}`, `see ${p.log}`);
  await waitUntil(() => etcdHealthy(cfg), {
    timeoutMs: ETCD_START_TIMEOUT_MS,
    intervalMs: ETCD_POLL_MS,
    abort: () => (livePid(p.pidFile) ? undefined : failed()),
    onTimeout: failed,
  });
  return pid;
}

const ETCD_POLL_MS = 200;

export async function etcdHealthy(cfg: Readonly<Config>): Promise<boolean> {
  try {
    const res = await fetch(`${etcdUrl(cfg)}/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok && ((await res.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

export const stopEtcd = (cfg: Readonly<Config>): Promise<boolean> => stopDaemon(etcdPaths(cfg).pidFile, 10_000);
