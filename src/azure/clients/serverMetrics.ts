import type { TokenCredential } from '@azure/identity';
import type { ArmServer } from './armTarget.js';

/** The §8.1 Flexible Server metrics the checklists and alerts need, by Azure Monitor name. */
export const SERVER_METRICS = {
  cpu_percent: 'cpuPercent',
  memory_percent: 'memoryPercent',
  storage_percent: 'storagePercent',
  active_connections: 'activeConnections',
} as const;

type Figure = (typeof SERVER_METRICS)[keyof typeof SERVER_METRICS];

/** The server's own figures: each the newest 1-minute average Azure Monitor has; absent = no point in the window. */
export type ServerMetrics = Partial<Record<Figure, number>> & {
  /** Time of the newest point used. */
  at?: string;
};

/**
 * Azure Monitor metrics of the Flexible Server (MonitorClient metrics.list,
 * one request for all four): the newest 1-minute average of each within the
 * last `lookbackMinutes` (metrics arrive a few minutes late, so "now" is the
 * newest point, not the current minute).
 */
export async function serverMetrics(
  server: ArmServer,
  credential: TokenCredential,
  lookbackMinutes: number,
  now = new Date(),
): Promise<ServerMetrics> {
  // Loaded here: local topologies never load the Azure SDK.
  const { MonitorClient } = await import('@azure/arm-monitor');
  const client = new MonitorClient(credential, server.subscriptionId, {
    endpoint: server.endpoint,
    credentials: { scopes: [server.scope] },
  });
  const from = new Date(now.getTime() - lookbackMinutes * 60_000);
  // metrics.list takes the resource URI without its leading slash (the URL template adds it).
  const res = await client.metrics.list(server.resourceId.replace(/^\//, ''), {
    metricnames: Object.keys(SERVER_METRICS).join(','),
    timespan: `${from.toISOString()}/${now.toISOString()}`,
    interval: 'PT1M',
    aggregation: 'Average',
  });
  const out: ServerMetrics = {};
  let newest = 0;
  for (const metric of res.value) {
    const figure = SERVER_METRICS[metric.name.value as keyof typeof SERVER_METRICS];
    if (!figure) continue;
    const point = metric.timeseries
      .flatMap((t) => t.data ?? [])
      .filter((d) => d.average !== undefined && d.average !== null)
      .sort((a, b) => a.timeStamp.getTime() - b.timeStamp.getTime())
      .at(-1);
    if (!point) continue;
    out[figure] = Math.round(point.average! * 10) / 10;
    newest = Math.max(newest, point.timeStamp.getTime());
  }
  if (newest) out.at = new Date(newest).toISOString();
  return out;
}
