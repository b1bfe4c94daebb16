import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config/schema.js';
import type { MonitoredRuntime } from '../serviceView.js';
import { AuthFailureWatch } from '../db/serverLog.js';
import { SnapshotCache } from '../snapshotCache.js';
import type { SnapshotSources } from '../snapshot.js';
import { metricsPlugin } from './metricsPlugin.js';
import { opsPlugin } from './opsPlugin.js';
import { RequestRecorder } from './requestRecorder.js';

export interface MonitoringOptions {
  /** Export database/host/backup metrics too (default: monitor.serviceExportsDatabase; `monitor serve` always). */
  database?: boolean;
  /** Serve the /ops dashboard (default true). */
  dashboard?: boolean;
}

/** Registration options: the service registers extra plugins with `{ runtime }`. */
type Registered = { runtime?: MonitoredRuntime };

/**
 * The monitoring plugins with their options bound, for `startService(cfg, { extraPlugins })`:
 * /metrics (hooks on every route) and /ops (admin token). The runtime is taken from
 * the argument or, when undefined, from the options the service registers plugins with.
 */
export function monitoringPlugins(
  cfg: Readonly<Config>,
  runtime: MonitoredRuntime | undefined,
  opts: MonitoringOptions = {},
): FastifyPluginAsync<Registered>[] {
  const requests = new RequestRecorder();
  const sources: SnapshotSources = {
    requests,
    authFailures: new AuthFailureWatch(cfg.server.timezone, cfg.monitor.logTailBytes),
    ...(runtime ? { runtime } : {}),
  };
  const snapshots = new SnapshotCache(cfg, sources);
  const metrics: FastifyPluginAsync<Registered> = async (app, reg) => {
    sources.runtime ??= reg.runtime;
    await app.register(metricsPlugin, {
      cfg,
      requests,
      ...(sources.runtime ? { runtime: sources.runtime } : {}),
      ...((opts.database ?? cfg.monitor.serviceExportsDatabase) ? { snapshots } : {}),
    });
  };
  // fp keeps the wrapper transparent so the metrics hooks reach every route of the service (same function, marked).
  const plugins = [fp(metrics)];
  if (opts.dashboard ?? true) {
    plugins.push(async (app, reg) => {
      sources.runtime ??= reg.runtime;
      await app.register(opsPlugin, { cfg, snapshots });
    });
  }
  return plugins;
}
