import path from 'node:path';
import type { Config } from '../config/schema.js';
import type { HaNodeConfig } from '../config/sections/ha.js';
import { memoryFor } from '../cluster/local/instanceParameters.js';
import type { MemoryProfile } from '../cluster/local/memoryProfile.js';
import type { Supervised } from '../cluster/local/supervisor.js';
import { livePid } from '../cluster/patroni/daemon.js';
import { startEtcd } from '../cluster/patroni/etcd.js';
import { haDown, haUp, nodePatroniPid, nodePostmasterPid, startNode } from '../cluster/patroni/lifecycle.js';
import { etcdPaths, nodePaths } from '../cluster/patroni/paths.js';
import { promoteHaReplica } from '../cluster/patroni/promoteReplica.js';
import { rebuildHaFrom } from '../cluster/patroni/rebuildFromData.js';
import { nodeApi } from '../cluster/patroni/rest.js';
import { haStatus } from '../cluster/patroni/status.js';
import { switchover } from '../cluster/patroni/switchover.js';
import { BillInquiryError } from '../errors.js';
import { localConnection, localSuperuser } from './localTarget.js';
import { PatroniLocator } from './locators.js';
import type {
  AdoptResult,
  Endpoint,
  LocalTopology,
  Member,
  MemberProcesses,
  MemberState,
  Topology,
  TopologyStatus,
  UpOptions,
  UpResult,
} from './types.js';

/**
 * The HA topology this tool runs on this machine (`cluster up --ha`, `serve
 * --ha`): etcd and one Patroni per `ha.nodes` entry — the leader, the
 * synchronous standby and the async read replica. The leader is whoever
 * Patroni's REST API says it is now.
 */
export class HaTopology implements Topology, LocalTopology {
  readonly kind = 'ha';
  readonly locator: PatroniLocator;
  readonly local = this;

  constructor(readonly cfg: Readonly<Config>) {
    const members = cfg.ha.nodes.map((n) => ({
      name: n.name,
      api: nodeApi(cfg, n),
      endpoint: this.endpoint(n),
      readReplica: n.kind === 'async',
    }));
    this.locator = new PatroniLocator(async () => members, {
      cacheMs: cfg.ha.locatorCacheMs,
      probeTimeoutMs: cfg.ha.locatorProbeTimeoutMs,
    });
  }

  async members(): Promise<Member[]> {
    return this.cfg.ha.nodes.map((n) => {
      const p = nodePaths(this.cfg, n);
      return {
        name: n.name,
        endpoint: this.endpoint(n),
        kind: n.kind,
        files: { pgdata: p.pgdata, socketDir: p.socketDir, logDir: path.join(p.pgdata, 'log') },
      };
    });
  }

  async memberStates(): Promise<MemberState[]> {
    const status = await haStatus(this.cfg).catch(() => undefined);
    return (await this.members()).map((m) => {
      const s = status?.members.find((x) => x.name === m.name);
      return { ...m, running: !!s && ['running', 'streaming'].includes(s.state), ...(s ? { role: s.role } : {}) };
    });
  }

  async status(): Promise<TopologyStatus> {
    try {
      return { kind: 'ha', ...(await haStatus(this.cfg)) };
    } catch (e) {
      if (e instanceof BillInquiryError && e.code === 'HA_DOWN')
        return { kind: 'ha', ok: false, scope: this.cfg.ha.scope, members: [] };
      throw e;
    }
  }

  connection(ep: Endpoint, database: string, user: string, password: string) {
    return localConnection(this.cfg, ep, database, user, password);
  }

  async admin(database = 'postgres', at?: Endpoint) {
    if (at) return localSuperuser(this.cfg, at, database);
    try {
      return localSuperuser(this.cfg, await this.locator.primary(), database);
    } catch (e) {
      if (await this.running()) throw e;
      throw new BillInquiryError(
        'HA_DOWN',
        `the HA topology of ${this.cfg.dataDir} is not running`,
        'start it with `bill-inquiry cluster up --ha` (or `serve --ha`)',
        { cause: e },
      );
    }
  }

  memberAdmin(m: Member, database = 'postgres') {
    return localSuperuser(this.cfg, m.endpoint, database);
  }

  /** The nodes share this machine's memory (see instanceParameters). */
  memory(): MemoryProfile {
    return memoryFor(this.cfg, this.cfg.ha.nodes.length);
  }

  async up(opts: UpOptions = {}): Promise<UpResult> {
    const wasRunning = (await this.running()) && !opts.takeOver;
    const ha = await haUp(this.cfg, {
      ...(opts.log ? { log: opts.log } : {}),
      ...(opts.beforeStart ? { beforeStart: opts.beforeStart } : {}),
    });
    return {
      started: !wasRunning,
      supervised: wasRunning ? [] : this.daemons(),
      ha,
      stopStarted: async () => (wasRunning ? undefined : haDown(this.cfg)),
    };
  }

  down(): Promise<void> {
    return haDown(this.cfg);
  }

  /** Patroni renders its parameters at start: a full stop and start makes every node read them again. */
  async restart(): Promise<void> {
    await haDown(this.cfg);
    await haUp(this.cfg);
  }

  async running(): Promise<boolean> {
    return this.cfg.ha.nodes.some((n) => nodePatroniPid(this.cfg, n) !== undefined);
  }

  async processes(): Promise<MemberProcesses[]> {
    return this.cfg.ha.nodes.map((n) => {
      const postmaster = nodePostmasterPid(this.cfg, n);
      const patroni = nodePatroniPid(this.cfg, n);
      return { member: n.name, ...(postmaster ? { postmaster } : {}), ...(patroni ? { patroni } : {}) };
    });
  }

  adopt(pgdata: string, log?: (msg: string) => void): Promise<AdoptResult> {
    return rebuildHaFrom(this.cfg, pgdata, log).then(({ status, leader, previous }) => ({
      primary: { port: this.node(leader).pgPort, running: status.leader === leader },
      previousPrimary: previous[leader] ?? '',
      leader,
      previousMembers: previous,
    }));
  }

  switchover(candidate?: string) {
    return switchover(this.cfg, candidate);
  }

  async promoteReplica(): Promise<{ promoted: string; port: number }> {
    const r = await promoteHaReplica(this.cfg);
    return { promoted: r.node, port: r.port };
  }

  /**
   * Every Patroni (and the etcd the tool runs): a Patroni that dies is started
   * again with its config and rejoins by itself; PostgreSQL itself is
   * Patroni's to supervise, never ours.
   */
  private daemons(): Supervised[] {
    const patronis: Supervised[] = this.cfg.ha.nodes.map((n) => ({
      name: `patroni ${n.name}`,
      pid: () => nodePatroniPid(this.cfg, n),
      restart: () => startNode(this.cfg, n),
    }));
    if (!this.cfg.ha.manageEtcd) return patronis;
    const etcd: Supervised = {
      name: 'etcd',
      pid: () => livePid(etcdPaths(this.cfg).pidFile),
      restart: async () => void (await startEtcd(this.cfg)),
    };
    return [etcd, ...patronis];
  }

  private node(name: string): HaNodeConfig {
    return this.cfg.ha.nodes.find((n) => n.name === name)!;
  }

  private endpoint(n: HaNodeConfig): Endpoint {
    return { host: this.cfg.cluster.host, port: n.pgPort };
  }
}
