import type { MonitorSnapshot } from '../snapshot.js';

/** One point of the dashboard's time series. */
export interface OpsPoint {
  t: string;
  connections?: number;
  maxConnections?: number;
  replicationLagS?: number;
  requestRatePerS?: number;
  p99Ms?: number | null;
  cacheHitRatio?: number | null;
  dbCacheHitRatio?: number | null;
}

/** A fixed-size ring of dashboard points, filled from snapshots at `monitor.dashboard.sampleS`. */
export class OpsHistory {
  private points: OpsPoint[] = [];
  constructor(private readonly max: number) {}

  add(s: MonitorSnapshot, dbName: string): void {
    const db = s.primary?.db;
    this.points.push({
      t: s.at,
      ...(db ? { connections: db.connections.used, maxConnections: db.connections.max } : {}),
      replicationLagS: Math.max(0, ...(db?.replicas.map((r) => r.lag_seconds) ?? [])),
      ...(s.service
        ? {
            requestRatePerS: s.service.http.ratePerS,
            p99Ms: s.service.http.p99Ms,
            cacheHitRatio: s.service.cache.hitRatio,
          }
        : {}),
      dbCacheHitRatio: db?.databases.find((d) => d.datname === dbName)?.cache_hit_ratio ?? null,
    });
    if (this.points.length > this.max) this.points.shift();
  }

  all(): OpsPoint[] {
    return [...this.points];
  }
}
