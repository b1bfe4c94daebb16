import type { Config } from '../config/schema.js';
import type { PoolConfig } from '../config/sections/pool.js';

/** PostgreSQL's superuser_reserved_connections (default 3): never available to the application roles. */
export const RESERVED_CONNECTIONS = 3;

/**
 * Connections one service instance holds on the primary: each of its
 * `workers` processes (`serve --workers N`) has its own pool plus the one
 * connection that LISTENs for system_config and key-rotation notifications.
 * Its read-only pool goes to the replica — unless `readPoolOnPrimary` (one
 * login, phonebill's DB_USERNAME): then it is a second pool on the primary.
 */
export const connectionsPerInstance = (pool: PoolConfig, workers = 1, readPoolOnPrimary = false): number =>
  workers * (pool.size * (readPoolOnPrimary ? 2 : 1) + 1);

/** service.database.login without a read-only login: both pools sign in with it and both go to the primary. */
export const readPoolOnPrimary = (cfg: Readonly<Config>): boolean => {
  const login = cfg.service.database?.login;
  return !!login && !login.readonly;
};

export interface ConnectionBudget {
  status: 'pass' | 'warn' | 'fail';
  /** Connections non-superusers may open: max_connections − superuser_reserved_connections. */
  available: number;
  /** What `pool.instances` instances plus the admin reserve need. */
  expected: number;
  /** The same at `pool.maxInstances` (the autoscaler's maximum). */
  atMax: number;
  /** The largest pool.size with which `pool.maxInstances` instances still fit. */
  poolThatFits: number;
  detail: string;
  action: string;
}

/**
 * The connection budget of the physical architecture against the server's
 * limit: fails when the expected instances do not fit, warns when the
 * autoscaler could go past it (3–15 replicas × 16 = up to 240 + reserve against
 * 200 with the plan's figures). `db verify`, `check daily` and `serve` use it.
 */
export function connectionBudget(
  pool: PoolConfig,
  server: { maxConnections: number; superuserReserved: number },
  workers = 1,
  readsOnPrimary = false,
): ConnectionBudget {
  const per = connectionsPerInstance(pool, workers, readsOnPrimary);
  const pools = readsOnPrimary ? 2 : 1;
  const available = server.maxConnections - server.superuserReserved;
  const expected = pool.instances * per + pool.adminReserve;
  const atMax = Math.max(pool.instances, pool.maxInstances) * per + pool.adminReserve;
  const poolThatFits = Math.max(
    0,
    Math.floor(((available - pool.adminReserve) / Math.max(1, pool.maxInstances) / workers - 1) / pools),
  );
  const status = expected > available ? 'fail' : atMax > available ? 'warn' : 'pass';
  const pooled = readsOnPrimary
    ? `pool ${pool.size} + read pool ${pool.size} on the primary (one login) + 1 listener`
    : `pool ${pool.size} + 1 listener`;
  const each = workers > 1 ? `${workers} workers × (${pooled})` : `(${pooled})`;
  const formula = (n: number, total: number) =>
    `${n} instance(s) × ${per} ${each} + ${pool.adminReserve} reserve = ${total}`;
  const detail = `${formula(pool.instances, expected)} of ${available} (max_connections ${server.maxConnections} − ${server.superuserReserved} superuser-reserved); at ${pool.maxInstances} (pool.maxInstances): ${atMax}${atMax > available ? ` > ${available}` : ''}`;
  return {
    status,
    available,
    expected,
    atMax,
    poolThatFits,
    detail,
    action: `put PgBouncer in transaction mode between the services and PostgreSQL (docs/platform.md "Connection budget"), lower pool.size to ${poolThatFits}${workers > 1 ? ' or the workers' : ''}, cap pool.maxInstances, or raise server.maxConnections`,
  };
}

/**
 * What `serve` says at start: the expected instances (`pool.instances`), each
 * with `service.workers` processes, against the configured max_connections and
 * the §8.1 connections alert (90 % of it = 180). Full pools that reach the alert
 * would page the on-call person by themselves; past max_connections they fail.
 */
export function serveBudget(cfg: Readonly<Config>): { warn: boolean; message: string } {
  const b = connectionBudget(
    cfg.pool,
    { maxConnections: cfg.server.maxConnections, superuserReserved: RESERVED_CONNECTIONS },
    cfg.service.workers,
    readPoolOnPrimary(cfg),
  );
  const alertAt = Math.floor((cfg.server.maxConnections * cfg.monitor.alerts.connectionsPercent.threshold) / 100);
  const warn = b.expected >= Math.min(alertAt, b.available);
  const head = `connection budget: ${b.detail.split('; at ')[0]!}, alert at ${alertAt}`;
  return {
    warn,
    message: warn
      ? `${head} — ${b.expected > b.available ? 'the pools would exhaust the server' : 'full pools reach the connections alert'}: ${b.action}`
      : head,
  };
}
