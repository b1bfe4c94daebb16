import pg from 'pg';
import type { Config } from '../../config/schema.js';
import { clientConfig, type PoolTarget } from '../../db/connection.js';
import type { DbLocator, Endpoint } from '../../topology/types.js';
import { unavailable } from '../errors.js';

export type PoolName = 'primary' | 'replica';

/** SQLSTATE classes that mean "this server is gone or no longer the primary": ask the locator again. */
const RELOCATE_CODES = new Set(['57P01', '57P02', '57P03', '25006', '08000', '08003', '08006', '08001', '08004']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

export const isConnectionError = (e: unknown): boolean => {
  const err = e as { code?: string; message?: string };
  return (
    RELOCATE_CODES.has(err.code ?? '') ||
    NETWORK_CODES.has(err.code ?? '') ||
    /Connection terminated|timeout exceeded when trying to connect|connection is insecure|server closed the connection/i.test(
      err.message ?? '',
    )
  );
};

/**
 * One pg Pool per role and endpoint, sized per plan §5.2 (cfg.pool). On a
 * connection error — of a query, or of an idle connection the server closed
 * (restart, demotion) — the pool is dropped and the locator asked again, so
 * the next query goes to wherever the primary is now; the failing query
 * itself ends in 503 at once instead of waiting. `follow()` also asks the
 * locator every few seconds, so a switchover moves the pool even when no
 * connection broke (a demoted primary that came back as a replica still
 * accepts connections).
 */
export class RoutedPool {
  private pool?: pg.Pool;
  private endpoint?: Endpoint;
  private resolving?: Promise<pg.Pool | undefined>;
  private followTimer?: NodeJS.Timeout;

  constructor(
    readonly name: PoolName,
    private readonly cfg: Readonly<Config>,
    /** Role, database, TLS and the password (a string, or a function pg calls per new connection). */
    private readonly template: Omit<PoolTarget, 'host' | 'port'>,
    private readonly locate: () => Promise<Endpoint | undefined>,
    private readonly locator: DbLocator,
  ) {}

  /** The pool for the current endpoint; undefined when the locator has none (no replica). */
  async current(): Promise<pg.Pool | undefined> {
    if (this.pool) return this.pool;
    this.resolving ??= this.resolve().finally(() => (this.resolving = undefined));
    return this.resolving;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string | pg.QueryConfig,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const pool = await this.pool_();
    try {
      return await pool.query<R>(text as string, values);
    } catch (e) {
      if (isConnectionError(e)) this.lost(e);
      throw e;
    }
  }

  /** The pool, or 503 when the locator cannot say where the database is (e.g. mid-failover). */
  private async pool_(): Promise<pg.Pool> {
    let pool: pg.Pool | undefined;
    try {
      pool = await this.current();
    } catch (e) {
      this.locator.invalidate?.();
      throw unavailable('the database is unavailable; try again shortly', e);
    }
    if (!pool) throw unavailable(`no ${this.name} database is known`);
    return pool;
  }

  stats(): { total: number; idle: number; waiting: number } {
    const p = this.pool;
    return { total: p?.totalCount ?? 0, idle: p?.idleCount ?? 0, waiting: p?.waitingCount ?? 0 };
  }

  get where(): Endpoint | undefined {
    return this.endpoint;
  }

  /** Asks the locator every `intervalMs` and moves to a new endpoint when it names one (switchover, failover). */
  follow(intervalMs: number): void {
    this.followTimer = setInterval(() => void this.recheck(), intervalMs);
    this.followTimer.unref();
  }

  async end(): Promise<void> {
    clearInterval(this.followTimer);
    const p = this.pool;
    this.pool = undefined;
    await p?.end().catch(() => undefined);
  }

  private async recheck(): Promise<void> {
    const current = this.endpoint;
    if (!current || !this.pool) return;
    const now = await this.locate().catch(() => undefined);
    if (now && (now.host !== current.host || now.port !== current.port)) this.drop(this.pool);
  }

  /** Stops using `pool` (if it is still the current one): the next query resolves the endpoint again. */
  private drop(pool: pg.Pool): void {
    if (this.pool !== pool) return;
    this.pool = undefined;
    this.endpoint = undefined;
    this.locator.invalidate?.();
    void pool.end().catch(() => undefined);
  }

  /** Forget this endpoint: the next query asks the locator again. */
  private lost(e: unknown): never {
    if (this.pool) this.drop(this.pool);
    throw e;
  }

  private async resolve(): Promise<pg.Pool | undefined> {
    const ep = await this.locate();
    if (!ep) return undefined;
    const { pool: p } = this.cfg;
    const pool = new pg.Pool({
      ...clientConfig({ ...this.template, ...ep, applicationName: `bill-inquiry-service-${this.name}` }),
      max: p.size,
      connectionTimeoutMillis: p.connectionTimeoutMs,
      idleTimeoutMillis: p.idleTimeoutMs,
      maxLifetimeSeconds: Math.round(p.maxLifetimeMs / 1000),
    });
    // An idle connection the server closed (restart, demotion in a switchover) must not crash the
    // process: it means the server changed, so the next query asks the locator where to go.
    pool.on('error', (e) => {
      if (isConnectionError(e)) this.drop(pool);
    });
    this.pool = pool;
    this.endpoint = ep;
    return pool;
  }
}
