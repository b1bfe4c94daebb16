import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Registry } from '@prometheus-io/client';
import type { Config } from '../../config/schema.js';
import type { MonitoredRuntime } from '../serviceView.js';
import type { SnapshotCache } from '../snapshotCache.js';
import { registerDbMetrics } from './dbMetrics.js';
import type { RequestRecorder } from './requestRecorder.js';
import { registerHttpMetrics, registerRuntimeMetrics } from './serviceMetrics.js';

export interface MetricsPluginOptions {
  cfg: Readonly<Config>;
  runtime?: MonitoredRuntime;
  /** Database/host/backup metrics are exported when a snapshot source is given. */
  snapshots?: SnapshotCache;
  requests?: RequestRecorder;
}

/**
 * GET /metrics in Prometheus text format. Its onResponse hook sees every route
 * of the server (fastify-plugin lifts encapsulation), labelled by route pattern,
 * never by raw URL, so line numbers in paths cannot explode the label set.
 */
const metrics: FastifyPluginAsync<MetricsPluginOptions> = async (app, opts) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'bill_inquiry_process_' });
  const http = registerHttpMetrics(registry);
  const detach = opts.runtime ? registerRuntimeMetrics(registry, opts.runtime) : undefined;
  if (opts.snapshots) registerDbMetrics(registry, opts.snapshots);

  // Callback style: no promise per request on the hot path.
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route !== '/metrics') {
      const ms = reply.elapsedTime;
      http.observe(route, req.method, reply.statusCode, ms / 1000, reply.getHeader('x-error-code')?.toString());
      if (!route.startsWith('/ops')) opts.requests?.record(ms);
    }
    done();
  });
  app.addHook('onClose', async () => detach?.());

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
};

export const metricsPlugin = fp(metrics, { name: 'bill-inquiry-metrics', fastify: '5.x' });
