import { renameSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { LocalInstance } from '../cluster/local/localCluster.js';
import type { MemoryProfile } from '../cluster/local/memoryProfile.js';
import { memoryFor } from '../cluster/local/instanceParameters.js';
import type { Supervised } from '../cluster/local/supervisor.js';
import { BillInquiryError } from '../errors.js';
import { fileStamp, setAside } from '../system/setAside.js';
import { localConnection, localSuperuser } from './localTarget.js';
import type {
  AdoptResult,
  DbLocator,
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

const NAMES = ['primary', 'replica'] as const;

/**
 * The single node (`cluster up`, `serve`, `npm start`): a primary the tool
 * runs under `<dataDir>/pg/primary`, and the streaming read replica under
 * `<dataDir>/pg/replica` once one was cloned (`--replica`).
 */
export class PlainTopology implements Topology, LocalTopology {
  readonly kind = 'plain';
  readonly locator: DbLocator;
  readonly local = this;
  private readonly known = new Map<string, LocalInstance>();

  constructor(readonly cfg: Readonly<Config>) {
    const host = cfg.cluster.host;
    this.locator = {
      primary: async () => ({ host, port: this.instance('primary').port }),
      replica: async () => {
        const r = this.instance('replica');
        return r.initialized ? { host, port: r.port } : undefined;
      },
    };
  }

  /** The instance of this data dir (its recorded port unless `port` overrides it, e.g. a first `cluster up --port`). */
  instance(name: (typeof NAMES)[number], port?: number): LocalInstance {
    if (port !== undefined) return new LocalInstance(this.cfg, name, port);
    let i = this.known.get(name);
    if (!i) this.known.set(name, (i = new LocalInstance(this.cfg, name)));
    return i;
  }

  async members(): Promise<Member[]> {
    return NAMES.map((n) => this.instance(n))
      .filter((i) => i.name === 'primary' || i.initialized)
      .map((i) => ({
        name: i.name,
        endpoint: { host: this.cfg.cluster.host, port: i.port },
        kind: i.name === 'primary' ? 'primary' : 'replica',
        files: { pgdata: i.paths.pgdata, socketDir: i.paths.socketDir, logDir: path.join(i.paths.pgdata, 'log') },
      }));
  }

  async memberStates(): Promise<MemberState[]> {
    return Promise.all(
      (await this.members()).map(async (m) => {
        const s = await this.instance(m.name as (typeof NAMES)[number]).status();
        return { ...m, running: s.running, role: s.role };
      }),
    );
  }

  async status(): Promise<TopologyStatus> {
    const all = await Promise.all(NAMES.map((n) => this.instance(n).status()));
    const instances = all.filter((s) => s.name === 'primary' || s.running);
    return { kind: 'plain', ok: instances.every((s) => s.running), instances };
  }

  connection(ep: Endpoint, database: string, user: string, password: string) {
    return localConnection(this.cfg, ep, database, user, password);
  }

  async admin(database = 'postgres', at?: Endpoint) {
    if (at) return localSuperuser(this.cfg, at, database);
    const primary = this.instance('primary');
    if (!primary.initialized)
      throw new BillInquiryError(
        'NO_CLUSTER',
        `no local cluster in ${this.cfg.dataDir}`,
        'run `bill-inquiry cluster up` (or `serve`) first, or give --admin-url',
      );
    return primary.target(database);
  }

  memberAdmin(m: Member, database = 'postgres') {
    return localSuperuser(this.cfg, m.endpoint, database);
  }

  memory(): MemoryProfile {
    return memoryFor(this.cfg);
  }

  async up(opts: UpOptions = {}): Promise<UpResult> {
    const log = opts.log ?? (() => {});
    const primary = this.instance('primary', opts.port);
    const bins = primary.binaries();
    log(`PostgreSQL ${bins.version} from ${bins.source} (${bins.binDir})`);
    if (await primary.init()) log(`initialized ${primary.paths.pgdata}`);
    await opts.beforeStart?.();
    const started: LocalInstance[] = [];
    const startIt = async (i: LocalInstance) => {
      const was = (await i.status()).running;
      const s = await i.start();
      if (!was || opts.takeOver) started.push(i);
      return s;
    };
    const instances = [await startIt(primary)];
    if (opts.replica) {
      const replica = this.instance('replica', opts.replicaPort);
      if (await replica.initReplicaOf(primary)) log(`replica cloned from primary into ${replica.paths.pgdata}`);
      instances.push(await startIt(replica));
    }
    const preload = String((await primary.parameters()).shared_preload_libraries ?? '');
    return {
      binaries: { source: bins.source, version: bins.version, binDir: bins.binDir },
      pgaudit: preload.split(',').includes('pgaudit'),
      started: started.length > 0,
      supervised: started.map(supervisedInstance),
      instances,
      stopStarted: async () => {
        for (const i of [...started].reverse()) await i.stop();
      },
    };
  }

  async down(): Promise<void> {
    for (const n of [...NAMES].reverse()) await this.instance(n).stop();
  }

  async restart(): Promise<void> {
    for (const n of NAMES) {
      const i = this.instance(n);
      if (!(await i.status()).running) continue;
      await i.stop();
      await i.start();
    }
  }

  async running(): Promise<boolean> {
    return (await this.instance('primary').status()).running;
  }

  async processes(): Promise<MemberProcesses[]> {
    return (await this.members()).map((m) => {
      const postmaster = this.instance(m.name as (typeof NAMES)[number])
        .pgCtl()
        .pid();
      return { member: m.name, ...(postmaster ? { postmaster } : {}) };
    });
  }

  async adopt(pgdata: string): Promise<AdoptResult> {
    const primary = this.instance('primary');
    const replica = this.instance('replica');
    await replica.stop();
    await primary.stop();
    const stamp = fileStamp();
    const previousPrimary = setAside(primary.paths.pgdata, stamp);
    const previousReplica = replica.initialized ? setAside(replica.paths.pgdata, stamp) : undefined;
    try {
      renameSync(pgdata, primary.paths.pgdata);
    } catch (e) {
      renameSync(previousPrimary!, primary.paths.pgdata);
      if (previousReplica) renameSync(previousReplica, replica.paths.pgdata);
      throw new BillInquiryError(
        'SWITCH_MOVE',
        `cannot move ${pgdata} to ${primary.paths.pgdata}: ${(e as Error).message}`,
        'restore --into a directory on the same file system as the data dir',
        { cause: e },
      );
    }
    const s = await primary.start();
    return {
      primary: { port: s.port, running: s.running },
      previousPrimary: previousPrimary!,
      ...(previousReplica ? { previousReplica } : {}),
    };
  }

  async promoteReplica(): Promise<{ promoted: string; port: number }> {
    const replica = this.instance('replica');
    if (!(await replica.status()).running)
      throw new BillInquiryError(
        'NO_REPLICA',
        'no running local replica to promote',
        'start one with `bill-inquiry cluster up --replica`',
      );
    await replica.promote();
    return { promoted: 'replica', port: replica.port };
  }
}

/** A plain instance as a supervisor sees it: its postmaster, restarted with a normal start (crash recovery). */
function supervisedInstance(i: LocalInstance): Supervised {
  return {
    name: `postgres ${i.name}`,
    pid: () => i.pgCtl().pid(),
    restart: async () => void (await i.start()),
  };
}
