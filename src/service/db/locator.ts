import type { Config } from '../../config/schema.js';
import { LocalInstance } from '../../cluster/local/localCluster.js';

export interface Endpoint {
  host: string;
  port: number;
}

/**
 * Where the primary and the read replica are right now. Pools ask again after
 * a connection error, so a failover (e.g. the Patroni locator of
 * src/cluster/patroni/locator.ts) is followed without restart.
 */
export interface DbLocator {
  primary(): Promise<Endpoint>;
  replica(): Promise<Endpoint | undefined>;
  /** Forget any cached answer: the next call asks the source of truth again. */
  invalidate?(): void;
}

/** Fixed endpoints, e.g. the local instances or an external database. */
export function staticLocator(primary: Endpoint, replica?: Endpoint): DbLocator {
  return { primary: async () => primary, replica: async () => replica };
}

/** The configured database: service.database when set (external), else the local instances. */
export function configuredLocator(cfg: Readonly<Config>): DbLocator {
  const ext = cfg.service.database;
  return ext ? staticLocator(ext.primary, ext.replica) : localLocator(cfg);
}

/** The local instances of cfg.dataDir: primary always, replica when one has been created. */
export function localLocator(cfg: Readonly<Config>): DbLocator {
  const host = cfg.cluster.host;
  const replica = new LocalInstance(cfg, 'replica');
  return {
    primary: async () => ({ host, port: new LocalInstance(cfg, 'primary').port }),
    replica: async () => (replica.initialized ? { host, port: replica.port } : undefined),
  };
}
