import path from 'node:path';
import type { Config } from '../../config/schema.js';
import { serverUser, type OsUser } from '../../system/osUser.js';
import { run } from '../../system/run.js';
import { findPgBinaries, type PgBinaries } from './pgBinaries.js';
import { waitUntil } from '../../system/poll.js';
import { postmasterPid, postmasterState } from './postmaster.js';

/**
 * pg_ctl for one data directory, run as the unprivileged server user: the one
 * start/stop/promote wrapper of the plain instances, restored clusters and
 * Patroni-managed data dirs that Patroni no longer runs.
 */
export class PgCtl {
  constructor(
    readonly pgdata: string,
    private readonly bins: PgBinaries,
    private readonly user: OsUser | undefined,
  ) {}

  /** PID of the live postmaster, undefined when none runs. */
  pid(): number | undefined {
    return postmasterPid(this.pgdata);
  }

  get running(): boolean {
    return this.pid() !== undefined;
  }

  /** Starts and waits (-w) until the server accepts connections; `logFile` takes the output before the logging collector. */
  async start(opts: { logFile: string; timeoutS: number }): Promise<void> {
    await run(
      this.bins.bin('pg_ctl'),
      ['-D', this.pgdata, '-l', opts.logFile, '-w', '-t', String(opts.timeoutS), 'start'],
      { as: this.user },
    );
  }

  /**
   * Waits until a running postmaster accepts connections, as `pg_ctl -w start`
   * does for one it starts: one that another process started moments ago (a
   * supervisor killed mid-restart) may still be in crash recovery, refusing
   * connections ("the database system is not yet accepting connections").
   */
  async waitAccepting(timeoutS: number): Promise<void> {
    await waitUntil(() => ['ready', 'standby'].includes(postmasterState(this.pgdata) ?? ''), {
      timeoutMs: timeoutS * 1000,
      intervalMs: 100,
      onTimeout: () =>
        new Error(`the running postmaster of ${this.pgdata} did not accept connections within ${timeoutS} s`),
    });
  }

  /** Stops when running: `fast` disconnects clients and checkpoints, `immediate` is a crash stop. */
  async stop(mode: 'fast' | 'immediate' = 'fast', timeoutS = 120): Promise<void> {
    if (!this.running) return;
    await run(this.bins.bin('pg_ctl'), ['-D', this.pgdata, '-m', mode, '-w', '-t', String(timeoutS), 'stop'], {
      as: this.user,
    });
  }

  async promote(timeoutS: number): Promise<void> {
    await run(this.bins.bin('pg_ctl'), ['-D', this.pgdata, '-w', '-t', String(timeoutS), 'promote'], {
      as: this.user,
    });
  }
}

/** The configured server binaries as the server user (embedded binaries copied under `<dataDir>/cache` when needed). */
export function serverBinaries(cfg: Readonly<Config>): { bins: PgBinaries; user: OsUser | undefined } {
  const user = serverUser(cfg.cluster.osUser);
  return { bins: findPgBinaries(cfg.cluster, user, path.join(cfg.dataDir, 'cache')), user };
}

/** pg_ctl for `pgdata` with the configured binaries. */
export function pgCtlFor(cfg: Readonly<Config>, pgdata: string): PgCtl {
  const { bins, user } = serverBinaries(cfg);
  return new PgCtl(pgdata, bins, user);
}
