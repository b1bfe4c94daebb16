import type { Config } from '../config/schema.js';
import type { InstanceStatus } from '../cluster/local/localCluster.js';
import type { MemoryProfile } from '../cluster/local/memoryProfile.js';
import type { Supervised } from '../cluster/local/supervisor.js';
import type { HaStatus } from '../cluster/patroni/status.js';
import type { ConnTarget } from '../db/connection.js';

/** A PostgreSQL server's address. */
export interface Endpoint {
  host: string;
  port: number;
}

/**
 * Where the primary and the read replica are right now. Callers ask again
 * after a connection error (`invalidate()` first), so a failover or
 * switchover is followed without restart.
 */
export interface DbLocator {
  /** The primary now; rejects (NO_PRIMARY) while there is none, e.g. in the seconds of a failover. */
  primary(): Promise<Endpoint>;
  /** A streaming read replica (the async one preferred), or undefined when there is none. */
  replica(): Promise<Endpoint | undefined>;
  /** Forget any cached answer: the next call asks the source of truth again. */
  invalidate?(): void;
}

/**
 * - `plain`: PostgreSQL the tool runs itself on this machine: a primary and
 *   optionally a streaming read replica (`cluster up [--replica]`, `serve`).
 * - `ha`: etcd + Patroni nodes the tool runs on this machine (`cluster up --ha`, `serve --ha`).
 * - `external`: a database the tool does not run (`service.database`): fixed
 *   endpoints (Azure), a multi-host list, or an existing Patroni cluster.
 */
export type TopologyKind = 'plain' | 'ha' | 'external';

/** The role a member is configured for — not what it is right now (that is `MemberState.role`). */
export type MemberKind = 'primary' | 'replica' | 'sync' | 'async' | 'member';

/** Files of a member whose data directory is on this machine. */
export interface MemberFiles {
  pgdata: string;
  socketDir: string;
  /** Server log directory (logging_collector, log_directory = 'log'). */
  logDir: string;
}

/** One PostgreSQL server of the topology. */
export interface Member {
  name: string;
  endpoint: Endpoint;
  kind: MemberKind;
  /** Present for plain and ha members (the data directory is here); absent for external ones. */
  files?: MemberFiles;
}

/** A member as it is now. */
export interface MemberState extends Member {
  /** Local: its server process is alive (ha: Patroni reports it running/streaming). External: it answers. */
  running: boolean;
  /** `primary`/`replica` (plain), Patroni's role (leader, sync_standby, replica) when known. */
  role?: string;
}

/**
 * The one answer to "where is the database": built once per command from the
 * data dir and the config (`openTopology`). Every command and the service ask
 * it for the primary, the replicas, the admin connection and the members.
 */
export interface Topology {
  readonly kind: TopologyKind;
  readonly cfg: Readonly<Config>;
  /** Where the primary and read replica are now; one instance per topology, its cache shared by its users. */
  readonly locator: DbLocator;
  /** Every member in configured order (external Patroni: as its REST API lists them; plain: the replica once cloned). */
  members(): Promise<Member[]>;
  /** Members with what each is doing now. */
  memberStates(): Promise<MemberState[]>;
  /** `cluster status`: ok when the primary and every expected member run. */
  status(): Promise<TopologyStatus>;
  /** A connection to `endpoint` with this topology's TLS settings (CA, server name). */
  connection(endpoint: Endpoint, database: string, user: string, password: string): ConnTarget;
  /**
   * Superuser connection to the current primary, or to `at` (another server
   * of this data dir, e.g. a restored cluster on its own port). External:
   * throws ADMIN_URL_REQUIRED (give --admin-url).
   */
  admin(database?: string, at?: Endpoint): Promise<ConnTarget>;
  /** Superuser connection to one member (plain/ha only; verify and the monitor use it per member). */
  memberAdmin(member: Member, database?: string): ConnTarget;
  /** Memory profile each member is configured with (`db verify` compares shared_buffers etc.). */
  memory(): MemoryProfile;
  /** Present when this tool runs the servers on this machine (plain, ha): start, stop, supervise. */
  readonly local?: LocalTopology;
}

/**
 * What `cluster status` reports: Patroni's view (ha), the local instances
 * (plain), or which members answer (external).
 */
export type TopologyStatus =
  | ({ kind: 'ha' } & HaStatus)
  | { kind: 'plain'; ok: boolean; instances: InstanceStatus[] }
  | { kind: 'external'; ok: boolean; members: MemberState[] };

export interface UpOptions {
  /** Plain: also clone and start the streaming read replica. */
  replica?: boolean;
  /** Plain: ports for a first start (later starts keep the recorded ones). */
  port?: number;
  replicaPort?: number;
  log?: (msg: string) => void;
  /** Runs before any server starts, once the data dir is marked with its kind (writes the pgBackRest config). */
  beforeStart?: () => void | Promise<void>;
  /**
   * Servers found running count as started by this call: their owner died
   * (`serve` killed and restarted by its process manager), so this call
   * supervises and stops them now.
   */
  takeOver?: boolean;
}

export interface UpResult {
  /** True when this call started servers that were not running: the caller owns (supervises, stops) them. */
  started: boolean;
  /** What this call started, for a supervisor to keep alive; empty when everything was running already. */
  supervised: Supervised[];
  /** Stops exactly what this call started (nothing it found running), e.g. when `serve` exits. */
  stopStarted(): Promise<void>;
  /** Plain: the instances brought up, the server binaries and whether pgaudit is loaded (§10.3). */
  instances?: InstanceStatus[];
  binaries?: { source: string; version: number; binDir: string };
  pgaudit?: boolean;
  /** HA: Patroni's view once every member streams. */
  ha?: HaStatus;
}

/** Lifecycle of a topology this tool runs itself. */
export interface LocalTopology {
  /** Creates (initdb / Patroni bootstrap) and starts what is not running; idempotent. */
  up(opts?: UpOptions): Promise<UpResult>;
  /** Stops every server of the topology (ha: Patroni, any leftover PostgreSQL, then etcd). */
  down(): Promise<void>;
  /** Restarts every running server so it reads its configuration again (e.g. archiving switched off). */
  restart(): Promise<void>;
  /** True when the topology's servers run now (plain: the primary; ha: any Patroni). */
  running(): Promise<boolean>;
  /**
   * The live processes of each member — its postmaster and, on ha, the
   * Patroni that manages it — for drills that crash them (`kill -9`). What a
   * supervisor started comes back by itself.
   */
  processes(): Promise<MemberProcesses[]>;
  /**
   * Makes a verified restored data directory the topology's primary (restore
   * --switch): plain moves it into the primary's place; ha rebuilds the
   * cluster around it. Previous data dirs are kept beside, never deleted.
   */
  adopt(pgdata: string, log?: (msg: string) => void): Promise<AdoptResult>;
  /** Planned switchover to the sync standby (or `candidate`); ha only. */
  switchover?(candidate?: string): Promise<{ from: string; to: string; status: HaStatus; seconds: number }>;
  /** Region failure: the read replica becomes an independent primary. */
  promoteReplica(): Promise<{ promoted: string; port: number }>;
}

export interface MemberProcesses {
  member: string;
  /** PID of the live postmaster; undefined when it is down. */
  postmaster?: number;
  /** PID of the live Patroni (ha); undefined on plain or when it is down. */
  patroni?: number;
}

export interface AdoptResult {
  primary: { port: number; running: boolean };
  /** Where the replaced primary's data went. */
  previousPrimary: string;
  /** Plain: the old replica's data, set aside (it follows a timeline the restored primary left). */
  previousReplica?: string;
  /** HA: the member leading on the restored data, and every member's previous data dir. */
  leader?: string;
  previousMembers?: Record<string, string>;
}
