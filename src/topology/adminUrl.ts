import type { ConnTarget } from '../db/connection.js';
import { BillInquiryError } from '../errors.js';
import type { Endpoint } from './types.js';

export const ADMIN_URL_ENV = 'BILL_INQUIRY_ADMIN_URL';

/** An admin URL: who connects (and how: TLS), and the host or hosts it names. */
export interface AdminUrl {
  template: Omit<ConnTarget, 'host' | 'port'>;
  hosts: Endpoint[];
}

const USE = 'use postgres://USER:PASSWORD@HOST:PORT/postgres?sslmode=require';
/** scheme, user info, host list, the rest (path, query): the host list may hold several `host:port`, which URL cannot parse. */
const PARTS = /^(postgres(?:ql)?:\/\/)([^@/?#]*@)?([^/?#]*)(.*)$/i;

/**
 * An admin connection from a postgres:// URL, with libpq's multi-host form
 * (`host1:5432,host2:5432`) for a cluster whose primary moves. TLS is always
 * required (plan §3.2): sslmode=disable/allow/prefer is refused;
 * `sslrootcert` or sslmode=verify-full/verify-ca turn on full verification
 * (without sslrootcert against the trusted CA store), otherwise the
 * certificate is not checked (sslmode=require).
 */
export function parseAdminUrl(raw: string): AdminUrl {
  const m = PARTS.exec(raw.trim());
  if (!m) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim()))
      throw new BillInquiryError(
        'BAD_URL',
        `the admin URL must start with postgres://, got ${/^[^:]*/.exec(raw.trim())![0]}://`,
        USE,
      );
    throw new BillInquiryError('BAD_URL', 'the admin URL is not a valid URL', USE);
  }
  const [, scheme, userinfo = '', hostList, rest] = m as unknown as [
    string,
    string,
    string | undefined,
    string,
    string,
  ];
  const hosts = hostList.split(',').map(parseHost);
  let url: URL;
  try {
    url = new URL(`${scheme}${userinfo}${hosts[0]!.host}${rest}`);
  } catch {
    throw new BillInquiryError('BAD_URL', 'the admin URL is not a valid URL', USE);
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
  if (!user) throw new BillInquiryError('BAD_URL', 'the admin URL names no user', USE);
  return {
    hosts,
    template: {
      database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
      user,
      password: decodeURIComponent(url.password),
      ...(caFile ? { caFile } : {}),
      // verify-full without sslrootcert: verified against the trusted CA store, as libpq 16's sslrootcert=system.
      ...(!caFile && sslmode !== 'require' ? { verifyFull: true } : {}),
    },
  };
}

function parseHost(text: string): Endpoint {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(text);
  if (!m) throw new BillInquiryError('BAD_URL', `the admin URL's host "${text}" is not HOST or HOST:PORT`, USE);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2] ?? 5432) };
}
