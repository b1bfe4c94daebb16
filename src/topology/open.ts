import type { Config } from '../config/schema.js';
import { LocalInstance } from '../cluster/local/localCluster.js';
import { isHa } from '../cluster/patroni/paths.js';
import { BillInquiryError } from '../errors.js';
import { ExternalTopology } from './external.js';
import { HaTopology } from './ha.js';
import { PlainTopology } from './plain.js';
import type { Topology, TopologyKind } from './types.js';

/** The kind this config and data dir run: external when service.database is set, ha once `cluster up --ha` ran here, else plain. */
export function topologyKind(cfg: Readonly<Config>): TopologyKind {
  return cfg.service.database ? 'external' : isHa(cfg) ? 'ha' : 'plain';
}

/**
 * The topology of this config and data dir, built once per command. `want`
 * is what a command that creates one asks for (`cluster up --ha`, `serve
 * --ha`): a fresh data dir becomes that kind; one that already runs another
 * kind is refused. Without `want` the data dir says what it is (fresh: plain).
 */
export function openTopology(cfg: Readonly<Config>, want?: 'plain' | 'ha'): Topology {
  const found = topologyKind(cfg);
  const fresh = found === 'plain' && !new LocalInstance(cfg).initialized;
  const kind = want && fresh ? want : found;
  if (want && kind !== want)
    throw new BillInquiryError(
      'TOPOLOGY_MISMATCH',
      found === 'external'
        ? `service.database names an external database: this tool starts no ${want} cluster for it`
        : `${cfg.dataDir} runs the ${found} topology, not ${want}`,
      found === 'external'
        ? 'drop service.database from the config to run a local cluster'
        : `use ${found === 'ha' ? '`cluster up --ha`' : '`cluster up`'} (or another --data-dir)`,
    );
  if (kind === 'external') return new ExternalTopology(cfg);
  return kind === 'ha' ? new HaTopology(cfg) : new PlainTopology(cfg);
}
