import type { Config } from '../config/schema.js';
import { collectSnapshot, type MonitorSnapshot, type SnapshotSources } from './snapshot.js';

/**
 * Reuses one snapshot for `monitor.cacheS` seconds and shares an in-flight
 * collection, so /metrics, /ops and the sampler never query the database in parallel.
 */
export class SnapshotCache {
  private last?: { at: number; snap: MonitorSnapshot };
  private pending?: Promise<MonitorSnapshot>;

  constructor(
    private readonly cfg: Readonly<Config>,
    private readonly sources: SnapshotSources = {},
  ) {}

  async get(): Promise<MonitorSnapshot> {
    if (this.last && Date.now() - this.last.at < this.cfg.monitor.cacheS * 1000) return this.last.snap;
    this.pending ??= collectSnapshot(this.cfg, this.sources)
      .then((snap) => {
        this.last = { at: Date.now(), snap };
        return snap;
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}
