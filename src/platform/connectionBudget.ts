import type { PoolConfig } from '../config/sections/pool.js';

/**
 * Connections a service instance holds on the primary: its pool, plus the one
 * connection that LISTENs for system_config and key-rotation notifications.
 * (Its read-only pool goes to the replica.)
 */
export const connectionsPerInstance = (pool: PoolConfig): number => pool.size + 1;

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
 * 200 with the plan's figures).
 */
export function connectionBudget(
  pool: PoolConfig,
  server: { maxConnections: number; superuserReserved: number },
): ConnectionBudget {
  const per = connectionsPerInstance(pool);
  const available = server.maxConnections - server.superuserReserved;
  const expected = pool.instances * per + pool.adminReserve;
  const atMax = Math.max(pool.instances, pool.maxInstances) * per + pool.adminReserve;
  const poolThatFits = Math.max(0, Math.floor((available - pool.adminReserve) / Math.max(1, pool.maxInstances)) - 1);
  const status = expected > available ? 'fail' : atMax > available ? 'warn' : 'pass';
  const formula = (n: number, total: number) =>
    `${n} instance(s) × ${per} (pool ${pool.size} + 1 listener) + ${pool.adminReserve} reserve = ${total}`;
  const detail = `${formula(pool.instances, expected)} of ${available} (max_connections ${server.maxConnections} − ${server.superuserReserved} superuser-reserved); at ${pool.maxInstances} (pool.maxInstances): ${atMax}${atMax > available ? ` > ${available}` : ''}`;
  return {
    status,
    available,
    expected,
    atMax,
    poolThatFits,
    detail,
    action: `put PgBouncer in transaction mode between the services and PostgreSQL (docs/platform.md "Connection budget"), lower pool.size to ${poolThatFits}, cap pool.maxInstances, or raise server.maxConnections`,
  };
}
