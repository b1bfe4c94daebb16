import type { Config } from '../../config/schema.js';
import { BillInquiryError } from '../../errors.js';
import type { RoutedPool } from './pools.js';
import { SCHEMA_PRESENT } from './sql/health.js';

/** Node's codes for a certificate that does not chain to a trusted CA or does not name the host. */
const CERT_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const INSTALL =
  'install it with `bill-inquiry db apply --admin-url postgres://ADMIN:…@HOST:5432/postgres?sslmode=verify-full` (or the image migration job): `serve` never installs an external database';

/**
 * On the external topology `serve` starts nothing and applies nothing, so a
 * wrong certificate, login or an uninstalled database would otherwise show up
 * only as 503s, request by request: one query at start says which it is.
 */
export async function checkExternalDatabase(cfg: Readonly<Config>, primary: RoutedPool): Promise<void> {
  let present: boolean;
  try {
    const { rows } = await primary.query<{ present: boolean }>(SCHEMA_PRESENT);
    present = rows[0]?.present === true;
  } catch (e) {
    throw startupError(cfg, e);
  }
  if (!present)
    throw new BillInquiryError('SCHEMA_MISSING', `database ${cfg.database.name} has no Bill-Inquiry schema`, INSTALL);
}

function startupError(cfg: Readonly<Config>, e: unknown): BillInquiryError {
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  const wrap = (code: 'DB_CERT_UNTRUSTED' | 'DB_MISSING' | 'DB_AUTH' | 'DB_CONNECT', message: string, hint: string) =>
    new BillInquiryError(code, message, hint, { cause: e });
  if (CERT_CODES.has(err.code ?? '') || /certificate/i.test(msg))
    return wrap(
      'DB_CERT_UNTRUSTED',
      `the database's TLS certificate is refused: ${msg}`,
      'give the CA that signed it as service.database.caFile (or add it to NODE_EXTRA_CA_CERTS); the certificate must name the host (DB_HOST). Test setups only: service.database.allowUnverifiedTls=true',
    );
  if (err.code === '3D000') return wrap('DB_MISSING', `database ${cfg.database.name} does not exist`, INSTALL);
  if (err.code === '28P01' || err.code === '28000')
    return wrap(
      'DB_AUTH',
      `the database refused the login: ${msg}`,
      'check the login (DB_USERNAME/DB_PASSWORD, or the role secrets) and that `db apply` created it',
    );
  return wrap('DB_CONNECT', `cannot use the external database: ${msg}`, 'check service.database (DB_HOST/DB_PORT)');
}
