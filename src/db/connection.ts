import { existsSync, readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';

/**
 * Where and as whom to connect. TLS is always on; `caFile` or `verifyFull`
 * turn on full verification (chain and host name).
 */
export interface ConnTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** CA that signed the server certificate: verify-full. Without it and `verifyFull`: TLS required, unverified (sslmode=require). */
  caFile?: string;
  /**
   * verify-full without a caFile: against the trusted CA store (Node's bundled
   * roots plus NODE_EXTRA_CA_CERTS; libpq tools: the system bundle). The
   * external topology sets it unless service.database.allowUnverifiedTls.
   */
  verifyFull?: boolean;
  /** Server name to verify the certificate against (defaults to host). */
  servername?: string;
  applicationName?: string;
}

/** A password, or a function pg calls for every new connection (an Entra access token, fetched again before it expires). */
export type PasswordSource = string | (() => Promise<string>);

/** A target for pg pools and clients, whose password may be such a function (libpq tools need a string: ConnTarget). */
export interface PoolTarget extends Omit<ConnTarget, 'password'> {
  password: PasswordSource;
}

export const MIN_TLS = 'TLSv1.2';

/** node-postgres options for a target: TLS ≥ 1.2 always (plan §3.2). */
export function clientConfig(t: ConnTarget | PoolTarget, extra: Partial<ClientConfig> = {}): ClientConfig {
  return {
    host: t.host,
    port: t.port,
    database: t.database,
    user: t.user,
    password: t.password,
    application_name: t.applicationName ?? 'bill-inquiry',
    ssl:
      t.caFile || t.verifyFull
        ? {
            ...(t.caFile ? { ca: readFileSync(t.caFile, 'utf8') } : {}),
            servername: t.servername ?? (t.host === '127.0.0.1' ? 'localhost' : t.host),
            minVersion: MIN_TLS,
            rejectUnauthorized: true,
          }
        : { rejectUnauthorized: false, minVersion: MIN_TLS },
    ...extra,
  };
}

/** libpq environment for the same target, for psql/pg_dump/pg_basebackup/pgbench. */
export function libpqEnv(t: ConnTarget): NodeJS.ProcessEnv {
  return {
    PGHOST: t.host,
    PGPORT: String(t.port),
    PGDATABASE: t.database,
    PGUSER: t.user,
    PGPASSWORD: t.password,
    PGSSLMODE: t.caFile || t.verifyFull ? 'verify-full' : 'require',
    ...(rootCert(t) ? { PGSSLROOTCERT: rootCert(t) } : {}),
    PGSSLMINPROTOCOLVERSION: MIN_TLS,
    PGAPPNAME: t.applicationName ?? 'bill-inquiry',
  };
}

/** postgres://… URL of a target (password included: print only on request). */
export function connectionUrl(t: ConnTarget, withPassword = false): string {
  const auth = `${encodeURIComponent(t.user)}${withPassword ? `:${encodeURIComponent(t.password)}` : ''}`;
  const root = rootCert(t);
  const params = new URLSearchParams({
    sslmode: t.caFile || t.verifyFull ? 'verify-full' : 'require',
    ...(root ? { sslrootcert: root } : {}),
  });
  return `postgres://${auth}@${t.host === '127.0.0.1' && t.caFile ? 'localhost' : t.host}:${t.port}/${t.database}?${params.toString()}`;
}

/** Where the system's CA bundle is (Debian/Ubuntu, then RHEL); libpq before 16 has no sslrootcert=system. */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'];

/** The root certificate file libpq tools verify against: the caFile, or for verifyFull the system bundle. */
function rootCert(t: ConnTarget): string | undefined {
  if (t.caFile) return t.caFile;
  if (!t.verifyFull) return undefined;
  return SYSTEM_BUNDLES.find((f) => existsSync(f)) ?? 'system';
}
