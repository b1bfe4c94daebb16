import { appendFileSync, chownSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Config } from '../config/schema.js';
import { instanceParameters } from '../cluster/local/instanceParameters.js';
import { SUPERUSER, SUPERUSER_SECRET } from '../cluster/local/localCluster.js';
import { pgCtlFor, type PgCtl } from '../cluster/local/pgCtl.js';
import { renderParameters } from '../cluster/local/serverParameters.js';
import type { ConnTarget } from '../db/connection.js';
import { queryOnce } from '../db/withClient.js';
import { BillInquiryError } from '../errors.js';
import { ensureDir, serverUser } from '../system/osUser.js';
import { waitUntil } from '../system/poll.js';
import { SecretStore } from '../system/secrets.js';

/** Heads the settings that keep a restored cluster apart from the original; `restore --switch` cuts them off. */
export const RESTORE_OVERRIDES_MARKER = '# bill-inquiry restore: runs beside the original';

/**
 * A cluster restored into `<dir>` (pgdata `<dir>/data`) that runs beside the
 * original: its own port and socket dir, archiving off so it never pushes a
 * diverged timeline into the original's repository.
 */
export class RestoredCluster {
  readonly pgdata: string;
  readonly socketDir: string;
  readonly logFile: string;
  private readonly user;
  private readonly pgCtl: PgCtl;

  constructor(
    readonly cfg: Readonly<Config>,
    readonly dir: string,
    readonly port: number,
  ) {
    this.user = serverUser(cfg.cluster.osUser);
    this.pgdata = path.join(dir, 'data');
    this.socketDir = path.join(dir, 'run');
    this.logFile = path.join(dir, 'server.log');
    this.pgCtl = pgCtlFor(cfg, this.pgdata);
  }

  /** The directory must be new or empty: a restore never overwrites a cluster. */
  assertFree(): void {
    if (existsSync(path.join(this.pgdata, 'postmaster.pid')) || existsSync(path.join(this.pgdata, 'PG_VERSION'))) {
      throw new BillInquiryError(
        'TARGET_DIR_IN_USE',
        `${this.pgdata} already holds a PostgreSQL cluster`,
        'restore into a new, empty --into directory',
      );
    }
  }

  prepare(): void {
    ensureDir(this.dir, 0o755, this.user);
    ensureDir(this.socketDir, 0o700, this.user);
  }

  /** Settings appended to postgresql.auto.conf (read last, so they win over the restored files, Patroni's included). */
  async writeOverrides(): Promise<void> {
    const params = {
      ...(await instanceParameters(
        this.cfg,
        { port: this.port, socketDir: this.socketDir, pgdata: this.pgdata, node: 'restored' },
        { archive: false },
      )),
      archive_mode: 'off',
      hba_file: path.join(this.pgdata, 'pg_hba.conf'),
      ident_file: path.join(this.pgdata, 'pg_ident.conf'),
      primary_conninfo: '',
      primary_slot_name: '',
      synchronous_standby_names: '',
    };
    const file = path.join(this.pgdata, 'postgresql.auto.conf');
    appendFileSync(file, `\n${RESTORE_OVERRIDES_MARKER}\n${renderParameters(params)}\n`);
    if (this.user) chownSync(file, this.user.uid, this.user.gid);
  }

  /** Starts, waits until recovery reached its target and promoted. */
  async startAndPromote(timeoutS: number): Promise<void> {
    try {
      await this.pgCtl.start({ logFile: this.logFile, timeoutS });
    } catch (e) {
      throw new BillInquiryError(
        'RESTORE_START_FAILED',
        `the restored cluster did not start: ${this.logTail()}`,
        `see ${this.logFile}`,
        { cause: e },
      );
    }
    await waitUntil(async () => (await this.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0]!.r === false, {
      timeoutMs: timeoutS * 1000,
      intervalMs: PROMOTE_POLL_MS,
      abort: () => (this.running() ? undefined : this.recoveryFailed()),
      onTimeout: () =>
        new BillInquiryError(
          'RESTORE_NOT_PROMOTED',
          `the restored cluster is still in recovery after ${timeoutS}s: ${this.logTail()}`,
          `see ${this.logFile}`,
        ),
    });
  }

  /** The server exited during recovery: why, from its log. */
  private recoveryFailed(): BillInquiryError {
    const log = this.logTail();
    const hint = /before configured recovery target/.test(log)
      ? 'the target is later than the newest archived WAL: pick an earlier target or `latest`'
      : `see ${this.logFile} and ${path.join(this.pgdata, 'log')}`;
    return new BillInquiryError('RESTORE_RECOVERY_FAILED', `recovery of the restored cluster failed: ${log}`, hint);
  }

  running(): boolean {
    return this.pgCtl.running;
  }

  async stop(): Promise<void> {
    await this.pgCtl.stop('fast');
  }

  target(database = 'postgres'): ConnTarget {
    return {
      host: this.cfg.cluster.host,
      port: this.port,
      database,
      user: SUPERUSER,
      password: new SecretStore(this.cfg.dataDir).get(SUPERUSER_SECRET),
      caFile: path.join(this.cfg.dataDir, 'tls', 'ca.crt'),
    };
  }

  async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> {
    return queryOnce<T>(this.target(database), sql, params);
  }

  logTail(lines = 6): string {
    const logDir = path.join(this.pgdata, 'log');
    const files = [this.logFile];
    if (existsSync(logDir)) files.push(...readdirLogs(logDir));
    const text = files
      .filter(existsSync)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    return (
      text
        .trim()
        .split('\n')
        .filter((l) => /FATAL|ERROR|PANIC|LOG: +(recovery|consistent|redo|selected)/.test(l))
        .slice(-lines)
        .join(' | ') || '(no server log)'
    );
  }
}

const PROMOTE_POLL_MS = 200;

const readdirLogs = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => path.join(dir, f));
