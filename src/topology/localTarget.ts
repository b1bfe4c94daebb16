import path from 'node:path';
import type { Config } from '../config/schema.js';
import { SUPERUSER, SUPERUSER_SECRET } from '../cluster/local/localCluster.js';
import type { ConnTarget } from '../db/connection.js';
import { SecretStore } from '../system/secrets.js';
import type { Endpoint } from './types.js';

/** A connection to a server of this data dir: TLS verified against the local CA. */
export const localConnection = (
  cfg: Readonly<Config>,
  ep: Endpoint,
  database: string,
  user: string,
  password: string,
): ConnTarget => ({ ...ep, database, user, password, caFile: path.join(cfg.dataDir, 'tls', 'ca.crt') });

/** The local superuser on one server of this data dir. */
export const localSuperuser = (cfg: Readonly<Config>, ep: Endpoint, database = 'postgres'): ConnTarget =>
  localConnection(cfg, ep, database, SUPERUSER, new SecretStore(cfg.dataDir).get(SUPERUSER_SECRET));
