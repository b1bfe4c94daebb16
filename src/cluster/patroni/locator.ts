import type { Config } from '../../config/schema.js';
import type { HaNodeConfig } from '../../config/sections/ha.js';
import { BillInquiryError } from '../../errors.js';
import type { DbLocator } from '../../service/db/locator.js';
import { probe } from './topology.js';

/**
 * Finds the leader by asking every node's Patroni REST API in parallel:
 * `GET /primary` is 200 only on the node that runs as leader right now (its
 * own view, not a stale DCS record), `GET /replica` 200 only on a streaming
 * replica. Answers are cached for ha.locatorCacheMs; pools call invalidate()
 * after a connection error so the next checkout asks again.
 */
export class PatroniLocator implements DbLocator {
  private cached?: { primary?: HaNodeConfig; replica?: HaNodeConfig; at: number };

  constructor(private readonly cfg: Readonly<Config>) {}

  async primary(): Promise<{ host: string; port: number }> {
    const node = (await this.lookup()).primary;
    if (!node) {
      this.invalidate();
      throw new BillInquiryError(
        'NO_PRIMARY',
        'no PostgreSQL primary right now (failover in progress?)',
        'retry shortly; `bill-inquiry cluster status` shows the members',
      );
    }
    return this.address(node);
  }

  /** A streaming replica, preferring the async read replica so the sync standby's commits stay fast. */
  async replica(): Promise<{ host: string; port: number } | undefined> {
    const node = (await this.lookup()).replica;
    return node && this.address(node);
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async lookup(): Promise<{ primary?: HaNodeConfig; replica?: HaNodeConfig }> {
    if (this.cached && Date.now() - this.cached.at < this.cfg.ha.locatorCacheMs) return this.cached;
    const nodes = this.cfg.ha.nodes;
    const [primaries, replicas] = await Promise.all([
      Promise.all(nodes.map((n) => probe(this.cfg, n, '/primary'))),
      Promise.all(nodes.map((n) => probe(this.cfg, n, '/replica'))),
    ]);
    const byPreference = [...nodes.keys()].sort(
      (a, b) => Number(nodes[b]!.kind === 'async') - Number(nodes[a]!.kind === 'async'),
    );
    const primary = nodes.find((_, i) => primaries[i] === 200);
    const replicaIndex = byPreference.find((i) => replicas[i] === 200);
    const found = { primary, replica: replicaIndex === undefined ? undefined : nodes[replicaIndex], at: Date.now() };
    if (primary) this.cached = found;
    return found;
  }

  private address(n: HaNodeConfig): { host: string; port: number } {
    return { host: this.cfg.cluster.host, port: n.pgPort };
  }
}
