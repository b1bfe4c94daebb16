import type { Config } from '../config/schema.js';
import type { ConnTarget } from '../db/connection.js';
import { BillInquiryError } from '../errors.js';
import { SecretStore } from '../system/secrets.js';
import type { Topology } from '../topology/types.js';

export type LoginRole = 'app' | 'readonly' | 'backup';

/** Secret-store name of a login role's password: the role name itself (e.g. `bill_app_user`). */
export const roleSecretName = (cfg: Readonly<Config>, role: LoginRole): string => cfg.database.roles[role];

/**
 * Password of a login role: the configured login's variable when that login is
 * this role (phonebill's DB_USERNAME=bill_app_user with DB_PASSWORD: `db apply`
 * then gives the role that password), else BILL_INQUIRY_SECRET_<ROLE> or
 * `<dataDir>/secrets/<role>`, generated on first use.
 */
export const rolePassword = (cfg: Readonly<Config>, role: LoginRole): string =>
  loginPassword(cfg, cfg.database.roles[role]) ?? new SecretStore(cfg.dataDir).get(roleSecretName(cfg, role));

/** The password of service.database.login (or its read-only login) named `user`, from its variable. */
function loginPassword(cfg: Readonly<Config>, user: string): string | undefined {
  const login = cfg.service.database?.login;
  const l = [login, login?.readonly].find((x) => x?.user === user);
  return l ? process.env[l.passwordEnv] || undefined : undefined;
}

/** Connection to the Bill-Inquiry database as one of its login roles, on the server (and with the TLS) of `server`. */
export function roleTarget(cfg: Readonly<Config>, role: LoginRole, server: ConnTarget): ConnTarget {
  return { ...server, database: cfg.database.name, user: cfg.database.roles[role], password: rolePassword(cfg, role) };
}

/**
 * The login a pool signs in with when service.database.login is configured
 * (phonebill's DB_USERNAME/DB_PASSWORD): the read-only login for `readonly`
 * when one is given, else the one login; undefined: the plan's role.
 */
export function configuredLogin(
  cfg: Readonly<Config>,
  role: LoginRole,
): { user: string; password: string } | undefined {
  const login = cfg.service.database?.login;
  if (!login || role === 'backup') return undefined;
  const l = role === 'readonly' && login.readonly ? login.readonly : login;
  const password = process.env[l.passwordEnv];
  if (!password)
    throw new BillInquiryError(
      'DB_LOGIN_PASSWORD_MISSING',
      `the database login ${l.user} has no password: ${l.passwordEnv} is not set`,
      `set ${l.passwordEnv} (phonebill: DB_PASSWORD from secret-bill-service)`,
    );
  return { user: l.user, password };
}

/** Connection to the Bill-Inquiry database on the topology's current primary as one of its login roles (or the configured login). */
export async function primaryAs(topology: Topology, role: LoginRole): Promise<ConnTarget> {
  const cfg = topology.cfg;
  const login = configuredLogin(cfg, role);
  return topology.connection(
    await topology.locator.primary(),
    cfg.database.name,
    login?.user ?? cfg.database.roles[role],
    login?.password ?? rolePassword(cfg, role),
  );
}
