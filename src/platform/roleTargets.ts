import type { Config } from '../config/schema.js';
import type { LocalInstance } from '../cluster/local/localCluster.js';
import type { ConnTarget } from '../db/connection.js';
import { SecretStore } from '../system/secrets.js';

export type LoginRole = 'app' | 'readonly' | 'backup';

/** Secret-store name of a login role's password: the role name itself (e.g. `bill_app_user`). */
export const roleSecretName = (cfg: Readonly<Config>, role: LoginRole): string => cfg.database.roles[role];

/** Password of a login role: BILL_INQUIRY_SECRET_<ROLE> or `<dataDir>/secrets/<role>`, generated on first use. */
export const rolePassword = (cfg: Readonly<Config>, role: LoginRole): string =>
  new SecretStore(cfg.dataDir).get(roleSecretName(cfg, role));

/** Connection to the Bill-Inquiry database as one of its login roles, on a local instance. */
export function roleTarget(cfg: Readonly<Config>, role: LoginRole, instance: LocalInstance): ConnTarget {
  return {
    ...instance.target(cfg.database.name),
    user: cfg.database.roles[role],
    password: rolePassword(cfg, role),
  };
}
