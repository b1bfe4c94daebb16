import { appendFileSync, chownSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { escapeLiteral } from 'pg';
import type { Config } from '../../config/schema.js';
import { libpqEnv, type ConnTarget } from '../../db/connection.js';
import { scramVerifier } from '../../db/scram.js';
import { queryOnce } from '../../db/withClient.js';
import { BillInquiryError } from '../../errors.js';
import { portInUse } from '../../system/freePort.js';
import { ensureDir, serverUser, type OsUser } from '../../system/osUser.js';
import { run } from '../../system/run.js';
import { SecretStore } from '../../system/secrets.js';
import { renderHba } from './hba.js';
import { instanceParameters } from './instanceParameters.js';
import { instancePaths, readState, writeState, type InstancePaths, type InstanceState } from './instance.js';
import { findPgBinaries, type PgBinaries } from './pgBinaries.js';
import { PgCtl } from './pgCtl.js';
import { renderParameters, type ServerParameters } from './serverParameters.js';
import { ensureTls, type TlsFiles } from './tls.js';
import type pg from 'pg';

export const SUPERUSER = 'postgres';
export const SUPERUSER_SECRET = 'postgres-superuser';
export const REPLICATION_ROLE = 'bill_replicator';
export const REPLICATION_SECRET = 'bill-replicator';
const CONF_FILE = 'bill-inquiry.conf';

export interface InstanceStatus {
  name: string;
  running: boolean;
  pid?: number;
  port: number;
  role: 'primary' | 'replica';
  pgdata: string;
  binaries?: string;
}

/**
 * One PostgreSQL instance that the tool owns under `<dataDir>/pg/<name>`:
 * initdb (checksums, SCRAM), TLS, the plan's parameters, pg_hba, start/stop
 * through pg_ctl as an unprivileged OS user.
 */
export class LocalInstance {
  readonly paths: InstancePaths;
  readonly user: OsUser | undefined;
  readonly secrets: SecretStore;
  private bins?: PgBinaries;

  constructor(
    readonly cfg: Readonly<Config>,
    readonly name = 'primary',
    private readonly portOverride?: number,
  ) {
    this.paths = instancePaths(cfg.dataDir, name);
    this.user = serverUser(cfg.cluster.osUser);
    this.secrets = new SecretStore(cfg.dataDir);
  }

  get state(): InstanceState | undefined {
    return readState(this.paths);
  }

  get port(): number {
    return (
      this.portOverride ??
      this.state?.port ??
      (this.name === 'replica' ? this.cfg.cluster.replicaPort : this.cfg.cluster.port)
    );
  }

  binaries(): PgBinaries {
    this.bins ??= findPgBinaries(this.cfg.cluster, this.user, path.join(this.cfg.dataDir, 'cache'));
    return this.bins;
  }

  get initialized(): boolean {
    return existsSync(path.join(this.paths.pgdata, 'PG_VERSION'));
  }

  /** initdb when there is no data yet; returns true when it created the cluster. */
  async init(): Promise<boolean> {
    this.prepareDirs();
    if (this.initialized) return false;
    const bins = this.binaries();
    const pwFile = path.join(this.paths.root, '.pwfile');
    writeFileSync(pwFile, this.secrets.get(SUPERUSER_SECRET), { mode: 0o600 });
    this.chown(pwFile);
    try {
      await run(
        bins.bin('initdb'),
        [
          '-D',
          this.paths.pgdata,
          '--data-checksums',
          '--encoding=UTF8',
          '--no-locale',
          `--username=${SUPERUSER}`,
          `--pwfile=${pwFile}`,
          '--auth-local=scram-sha-256',
          '--auth-host=scram-sha-256',
        ],
        { as: this.user, env: { LC_ALL: 'C' } },
      );
    } finally {
      rmSync(pwFile, { force: true });
    }
    this.saveState('primary');
    return true;
  }

  /** Writes the desired configuration, then starts the server if it is not running. */
  async start(): Promise<InstanceStatus> {
    if (!this.initialized)
      throw new BillInquiryError(
        'NO_CLUSTER',
        `no cluster in ${this.paths.pgdata}`,
        'run `bill-inquiry cluster up` first',
      );
    const current = await this.status();
    if (current.running) {
      try {
        await this.pgCtl().waitAccepting(this.cfg.cluster.startTimeoutS);
      } catch (e) {
        throw new BillInquiryError(
          'START_FAILED',
          `PostgreSQL ${this.name} is running but does not accept connections: ${this.logTail()}`,
          `see ${this.paths.logFile}`,
          { cause: e },
        );
      }
      return current;
    }
    if (await portInUse(this.port)) {
      throw new BillInquiryError(
        'PORT_IN_USE',
        `port ${this.port} on 127.0.0.1 is already in use by another program`,
        'pick a free one with --port',
      );
    }
    await this.writeConfig();
    this.saveState(this.state?.role ?? 'primary');
    try {
      await this.pgCtl().start({ logFile: this.paths.logFile, timeoutS: this.cfg.cluster.startTimeoutS });
    } catch (e) {
      throw new BillInquiryError(
        'START_FAILED',
        `PostgreSQL ${this.name} did not start: ${this.logTail()}`,
        `see ${this.paths.logFile}`,
        { cause: e },
      );
    }
    return this.status();
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.initialized) return;
    await this.pgCtl().stop(mode);
  }

  /** pg_ctl for this instance's data directory. */
  pgCtl(): PgCtl {
    return new PgCtl(this.paths.pgdata, this.binaries(), this.user);
  }

  async status(): Promise<InstanceStatus> {
    const base = {
      name: this.name,
      port: this.port,
      role: this.state?.role ?? 'primary',
      pgdata: this.paths.pgdata,
      binaries: this.state?.binDir,
    } as const;
    if (!this.initialized) return { ...base, running: false };
    const pid = this.pgCtl().pid();
    return { ...base, running: pid !== undefined, ...(pid ? { pid } : {}) };
  }

  /** Parameters this instance runs with (also handed to Patroni by the HA topology). */
  async parameters(tls?: TlsFiles): Promise<ServerParameters> {
    return instanceParameters(
      this.cfg,
      { port: this.port, socketDir: this.paths.socketDir, pgdata: this.paths.pgdata, node: this.name },
      tls ? { tls } : {},
    );
  }

  /** Region failure on the plain topology: the streaming replica becomes a primary. */
  async promote(): Promise<void> {
    await this.pgCtl().promote(this.cfg.cluster.startTimeoutS);
    this.saveState('primary');
  }

  /** Superuser connection over TLS, verified against the local CA. */
  target(database = 'postgres', user = SUPERUSER, password = this.secrets.get(SUPERUSER_SECRET)): ConnTarget {
    return {
      host: this.cfg.cluster.host,
      port: this.port,
      database,
      user,
      password,
      caFile: path.join(this.cfg.dataDir, 'tls', 'ca.crt'),
    };
  }

  /** Runs one statement as superuser (for cluster housekeeping, not application data). */
  async query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    database = 'postgres',
  ): Promise<T[]> {
    return queryOnce<T>(this.target(database), sql, params);
  }

  /**
   * Makes this instance a streaming replica of `primary` with pg_basebackup
   * (over TLS, as the replication role), unless it already holds data.
   */
  async initReplicaOf(primary: LocalInstance): Promise<boolean> {
    this.prepareDirs();
    if (this.initialized) return false;
    const bins = this.binaries();
    if (!bins.has('pg_basebackup')) {
      throw new BillInquiryError(
        'NO_BASEBACKUP',
        `the ${bins.source} PostgreSQL has no pg_basebackup`,
        'install PostgreSQL (apt-get install postgresql) for replicas',
      );
    }
    const password = await primary.ensureReplicationRole();
    const env = libpqEnv({ ...primary.target('postgres', REPLICATION_ROLE, password), database: 'replication' });
    await run(
      bins.bin('pg_basebackup'),
      ['-D', this.paths.pgdata, '-R', '-X', 'stream', '-c', 'fast', '--no-password'],
      { as: this.user, env },
    );
    this.saveState('replica');
    return true;
  }

  /**
   * The replication login role, its password set from the secret store as a
   * SCRAM verifier: log_statement=all (§10.3) writes the ALTER ROLE text to
   * the server log, which must never hold the password itself.
   */
  async ensureReplicationRole(): Promise<string> {
    const password = this.secrets.get(REPLICATION_SECRET);
    await this.query(
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${REPLICATION_ROLE}') THEN
           CREATE ROLE ${REPLICATION_ROLE} WITH LOGIN REPLICATION;
         END IF;
       END $$`,
    );
    await this.query(`ALTER ROLE ${REPLICATION_ROLE} PASSWORD ${escapeLiteral(scramVerifier(password))}`);
    return password;
  }

  logTail(lines = 8): string {
    const files = [this.paths.logFile];
    const text = files
      .filter(existsSync)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    return text.trim().split('\n').slice(-lines).join(' | ') || '(no server log)';
  }

  private prepareDirs(): void {
    ensureDir(this.cfg.dataDir, 0o755);
    ensureDir(path.join(this.cfg.dataDir, 'pg'), 0o755);
    ensureDir(this.paths.root, 0o700, this.user);
    ensureDir(this.paths.socketDir, 0o700, this.user);
  }

  private async writeConfig(): Promise<void> {
    const tls = await ensureTls(this.cfg.dataDir, this.user);
    const params = await this.parameters(tls);
    const confPath = path.join(this.paths.pgdata, 'postgresql.conf');
    const include = `include_if_exists '${CONF_FILE}'`;
    if (!readFileSync(confPath, 'utf8').includes(include)) appendFileSync(confPath, `\n${include}\n`);
    this.writeOwned(
      path.join(this.paths.pgdata, CONF_FILE),
      `# Managed by bill-inquiry (plan §5.1, §10.3, §3.2)\n${renderParameters(params)}\n`,
    );
    this.writeOwned(path.join(this.paths.pgdata, 'pg_hba.conf'), renderHba(this.cfg.server.allowedCidrs));
  }

  private writeOwned(file: string, text: string): void {
    writeFileSync(file, text, { mode: 0o600 });
    this.chown(file);
  }

  private chown(file: string): void {
    if (this.user) chownSync(file, this.user.uid, this.user.gid);
  }

  private saveState(role: InstanceState['role']): void {
    const b = this.binaries();
    writeState(this.paths, {
      name: this.name,
      port: this.port,
      binDir: b.binDir,
      binarySource: b.source,
      version: b.version,
      role,
    });
  }
}
