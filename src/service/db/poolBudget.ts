import type { Config } from '../../config/schema.js';

/** PostgreSQL's superuser_reserved_connections (default 3): never available to the application roles. */
export const RESERVED_CONNECTIONS = 3;

export interface PoolBudget {
  /** Connections the service may hold on one server at full load: processes × (pool.size + its LISTEN connection). */
  needed: number;
  /** max_connections minus the reserved ones. */
  available: number;
  /** Where the §8.1 connections alert fires (monitor.alerts.connectionsPercent of max_connections). */
  alertAt: number;
  /** True when full pools would reach the alert (or exhaust the server). */
  warn: boolean;
  message: string;
}

/**
 * Every service process has its own pools (plan §5.2: 15 per instance) plus
 * one LISTEN connection on the primary, so `serve --workers N` on
 * `service.instances` machines can hold N × instances × (pool.size + 1)
 * connections on one server. Warns when that reaches the §8.1 alert
 * threshold (90 % of max_connections 200 = 180): the pools themselves would
 * page the on-call person, or exhaust the server.
 */
export function poolBudget(cfg: Readonly<Config>, workers = cfg.service.workers): PoolBudget {
  const processes = workers * cfg.service.instances;
  const needed = processes * (cfg.pool.size + 1);
  const available = cfg.server.maxConnections - RESERVED_CONNECTIONS;
  const alertAt = Math.floor((cfg.server.maxConnections * cfg.monitor.alerts.connectionsPercent.threshold) / 100);
  const warn = needed >= Math.min(alertAt, available);
  const sum = `${workers} worker(s) × ${cfg.service.instances} instance(s) × (pool ${cfg.pool.size} + 1 listener) = ${needed} connections per server`;
  return {
    needed,
    available,
    alertAt,
    warn,
    message: warn
      ? `${sum} reaches ${needed >= available ? `max_connections ${cfg.server.maxConnections} minus ${RESERVED_CONNECTIONS} reserved` : `the connections alert (${alertAt} of ${cfg.server.maxConnections})`}: lower pool.size or the workers, or raise server.maxConnections`
      : `${sum} of ${available} available (alert at ${alertAt})`,
  };
}
