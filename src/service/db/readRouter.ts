import type { RoutedPool } from './pools.js';
import { REPLICA_LAG_MS } from './sql/health.js';

export type ReplicaState = 'none' | 'healthy' | 'lagging' | 'down';

/**
 * Picks where reads that may be slightly stale go: the replica (as
 * bill_readonly_user) while its replay lag is within `maxLagMs`, else the
 * primary. Lag is measured in the background, never on the request path.
 */
export class ReadRouter {
  private timer?: NodeJS.Timeout;
  state: ReplicaState = 'none';
  lagMs: number | null = null;

  constructor(
    private readonly primary: RoutedPool,
    private readonly replica: RoutedPool,
    private readonly opts: { maxLagMs: number; checkIntervalMs: number },
  ) {}

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.opts.checkIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  pool(): RoutedPool {
    return this.state === 'healthy' ? this.replica : this.primary;
  }

  /** Runs a read on the replica when healthy; on a connection failure there, once more on the primary. */
  async read<T>(fn: (pool: RoutedPool) => Promise<T>): Promise<T> {
    const pool = this.pool();
    if (pool === this.primary) return fn(pool);
    try {
      return await fn(pool);
    } catch {
      this.state = 'down';
      return fn(this.primary);
    }
  }

  async check(): Promise<void> {
    try {
      if (!(await this.replica.current())) {
        this.state = 'none';
        return;
      }
      const { rows } = await this.replica.query<{ lag_ms: string }>(REPLICA_LAG_MS);
      this.lagMs = Number(rows[0]?.lag_ms ?? 0);
      this.state = this.lagMs <= this.opts.maxLagMs ? 'healthy' : 'lagging';
    } catch {
      this.state = 'down';
      this.lagMs = null;
    }
  }
}
