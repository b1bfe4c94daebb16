import { EventEmitter } from 'node:events';
import { sleep } from '../../system/poll.js';

/** A server process this tool started and keeps running. */
export interface Supervised {
  /** For logs and metrics, e.g. `postgres primary`, `patroni node1`. */
  readonly name: string;
  /** PID of the live process; undefined once it is gone. */
  pid(): number | undefined;
  /**
   * Starts it again. For PostgreSQL after a kill -9 that is a plain start:
   * the server sees it was not shut down cleanly and replays WAL (crash
   * recovery) before it accepts connections.
   */
  restart(): Promise<void>;
}

export interface SupervisorOptions {
  /** How often each process is checked (ms). */
  checkIntervalMs: number;
  /** First pause after a failed restart (ms); doubles per failure up to `backoffMaxMs`. */
  backoffInitialMs: number;
  backoffMaxMs: number;
}

/** What a supervisor has done, for /metrics and the logs. */
export interface SupervisionStats {
  /** Successful restarts since the supervisor started. */
  restarts: number;
  /** Restart attempts that failed (each followed by a longer pause). */
  failedAttempts: number;
  /** Processes that are down right now (being restarted). */
  down: string[];
  lastRestart?: { name: string; at: string; downMs: number; attempts: number };
}

/** Events: `down` {name, pid}, `restarted` {name, downMs, attempts}, `restartFailed` {name, attempt, error, retryInMs}. */
export type SupervisorEvent =
  | { type: 'down'; name: string; pid: number }
  | { type: 'restarted'; name: string; downMs: number; attempts: number }
  | { type: 'restartFailed'; name: string; attempt: number; error: string; retryInMs: number };

/**
 * Keeps the processes a command started running: checks each one every
 * `checkIntervalMs`; one that died is restarted, and a failed restart is tried
 * again after an exponentially growing pause (a kill -9'd postmaster's
 * backends can hold its shared memory for a moment, and the new postmaster
 * refuses to start until they are gone). Only ever give it processes this
 * process started: a cluster someone else runs is theirs to supervise.
 */
export class Supervisor extends EventEmitter<{ event: [SupervisorEvent] }> {
  private timer?: NodeJS.Timeout;
  private readonly known = new Map<string, number>();
  private readonly restarting = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private restarts = 0;
  private failedAttempts = 0;
  private lastRestart?: SupervisionStats['lastRestart'];

  constructor(
    private readonly processes: readonly Supervised[],
    private readonly opts: SupervisorOptions,
  ) {
    super();
  }

  start(): this {
    for (const p of this.processes) {
      const pid = p.pid();
      if (pid !== undefined) this.known.set(p.name, pid);
    }
    this.timer = setInterval(() => this.check(), this.opts.checkIntervalMs);
    this.timer.unref();
    return this;
  }

  /** Stops watching (before a clean shutdown stops the processes); waits for a restart in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.abort.abort();
    await Promise.allSettled(this.restarting.values());
  }

  stats(): SupervisionStats {
    return {
      restarts: this.restarts,
      failedAttempts: this.failedAttempts,
      down: [...this.restarting.keys()],
      ...(this.lastRestart ? { lastRestart: this.lastRestart } : {}),
    };
  }

  private check(): void {
    for (const p of this.processes) {
      if (this.restarting.has(p.name)) continue;
      const pid = p.pid();
      if (pid !== undefined) {
        this.known.set(p.name, pid);
        continue;
      }
      const was = this.known.get(p.name);
      // Never seen alive: not ours to bring back (it was not running when supervision began).
      if (was === undefined) continue;
      this.emit('event', { type: 'down', name: p.name, pid: was });
      const job = this.bringBack(p).finally(() => this.restarting.delete(p.name));
      this.restarting.set(p.name, job);
    }
  }

  private async bringBack(p: Supervised): Promise<void> {
    const downAt = Date.now();
    let pause = this.opts.backoffInitialMs;
    for (let attempt = 1; !this.abort.signal.aborted; attempt++) {
      try {
        await p.restart();
        const downMs = Date.now() - downAt;
        this.restarts++;
        this.lastRestart = { name: p.name, at: new Date().toISOString(), downMs, attempts: attempt };
        const pid = p.pid();
        if (pid !== undefined) this.known.set(p.name, pid);
        this.emit('event', { type: 'restarted', name: p.name, downMs, attempts: attempt });
        return;
      } catch (e) {
        this.failedAttempts++;
        this.emit('event', {
          type: 'restartFailed',
          name: p.name,
          attempt,
          error: e instanceof Error ? e.message : String(e),
          retryInMs: pause,
        });
        await sleep(pause, undefined, { signal: this.abort.signal }).catch(() => undefined);
        pause = Math.min(pause * 2, this.opts.backoffMaxMs);
      }
    }
  }
}
