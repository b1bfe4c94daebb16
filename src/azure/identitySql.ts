import { escapeIdentifier, escapeLiteral } from 'pg';
import type { Config } from '../config/schema.js';
import { entraRoleName } from '../config/sections/service.js';

export interface IdentitySql {
  /** Run as the Entra admin, on the `postgres` database: the identity's PostgreSQL role. */
  entraAdmin: string;
  /** Run as the server admin that ran `db apply` (it created bill_app_user, so it may grant it): the privileges. */
  serverAdmin: string;
}

/**
 * §3.3 on the server: the managed identity `bill-inquiry-service-identity`
 * becomes a PostgreSQL role through Azure's own function, and gets
 * bill_app_user's privileges by membership — so `db apply`'s grants (and its
 * default privileges for future tables) are the one place they are defined.
 *
 * Two parts because two admins must run them: only a Microsoft Entra admin may
 * create Entra-mapped roles (pgaadauth_*), and from PostgreSQL 16 on, granting
 * membership in bill_app_user takes ADMIN OPTION on it, which its creator (the
 * server admin of `db apply --admin-url`) has.
 *
 * With the identity's object id (the template's serviceIdentityPrincipalId
 * output) the role is bound to that exact principal; without it Azure looks
 * the name up in Entra ID.
 */
export function renderIdentitySql(cfg: Readonly<Config>, objectId?: string): IdentitySql {
  const role = entraRoleName(cfg.service, cfg.azure.serviceIdentityName);
  const server = `${cfg.azure.serverName}.postgres.database.azure.com`;
  const create = objectId
    ? `pgaadauth_create_principal_with_oid(${escapeLiteral(role)}, ${escapeLiteral(objectId)}, 'service', false, false)`
    : `pgaadauth_create_principal(${escapeLiteral(role)}, false, false)`;
  const entraAdmin = `-- 1/2, as the Entra admin ${cfg.azure.aadAdminName} (§3.3), on database postgres:
--   PGPASSWORD="$(az account get-access-token --resource-type oss-rdbms --query accessToken -o tsv)" \\
--   psql "host=${server} dbname=postgres user=${cfg.azure.aadAdminName} sslmode=verify-full sslrootcert=/etc/ssl/certs/ca-certificates.crt" -f identity-1-entra-admin.sql
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${escapeLiteral(role)}) THEN
    PERFORM ${create};
  END IF;
END
$$;
`;
  const serverAdmin = `-- 2/2, as the server admin ${cfg.azure.adminUser} (who ran db apply and created ${cfg.database.roles.app}):
--   psql "host=${server} dbname=${cfg.database.name} user=${cfg.azure.adminUser} sslmode=verify-full sslrootcert=/etc/ssl/certs/ca-certificates.crt" -f identity-2-server-admin.sql
GRANT ${escapeIdentifier(cfg.database.roles.app)} TO ${escapeIdentifier(role)};
`;
  return { entraAdmin, serverAdmin };
}
