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
 * --ha` on a fresh data dir): refused when the data dir already runs another kind.
 */
export function openTopology(cfg: Readonly<Config>, want?: 'plain' | 'ha'): Topology {
  const found =
    want === 'ha' && topologyKind(cfg) === 'plain' && new LocalInstance(cfg).initialized ? 'plain' : topologyKind(cfg);
  const kind = want && found === 'plain' && !new LocalInstance(cfg).initialized ? want : found;
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
