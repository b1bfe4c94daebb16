import type { ConnTarget } from '../db/connection.js';
import { BillInquiryError } from '../errors.js';

export const ADMIN_URL_ENV = 'BILL_INQUIRY_ADMIN_URL';

/**
 * An admin connection from a postgres:// URL. TLS is always required (plan
 * §3.2): sslmode=disable/allow/prefer is refused; `sslrootcert` turns on full
 * verification, otherwise the certificate is not checked (sslmode=require).
 */
export function adminTargetFromUrl(raw: string): ConnTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BillInquiryError(
      'BAD_URL',
      'the admin URL is not a valid URL',
      'use postgres://USER:PASSWORD@HOST:PORT/postgres?sslmode=require',
    );
  }
  if (!['postgres:', 'postgresql:'].includes(url.protocol)) {
    throw new BillInquiryError(
      'BAD_URL',
      `the admin URL must start with postgres://, got ${url.protocol}//`,
      'use postgres://USER:PASSWORD@HOST:PORT/postgres?sslmode=require',
    );
  }
  const sslmode = url.searchParams.get('sslmode') ?? 'require';
  if (!['require', 'verify-ca', 'verify-full'].includes(sslmode)) {
    throw new BillInquiryError(
      'TLS_REQUIRED',
      `sslmode=${sslmode} would allow an unencrypted admin connection`,
      'plan §3.2 requires TLS: use sslmode=require or verify-full',
    );
  }
  const caFile = url.searchParams.get('sslrootcert') ?? undefined;
  const user = decodeURIComponent(url.username);
  if (!user)
    throw new BillInquiryError(
      'BAD_URL',
      'the admin URL names no user',
      'use postgres://USER:PASSWORD@HOST:PORT/postgres',
    );
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
    user,
    password: decodeURIComponent(url.password),
    ...(caFile ? { caFile } : {}),
  };
}
