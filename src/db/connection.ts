import { readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';

/** Where and as whom to connect. TLS is always on; `caFile` turns on full verification. */
export interface ConnTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** CA that signed the server certificate: verify-full. Without it: TLS required, unverified (sslmode=require). */
  caFile?: string;
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
    ssl: t.caFile
      ? {
          ca: readFileSync(t.caFile, 'utf8'),
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
    PGSSLMODE: t.caFile ? 'verify-full' : 'require',
    ...(t.caFile ? { PGSSLROOTCERT: t.caFile } : {}),
    PGSSLMINPROTOCOLVERSION: MIN_TLS,
    PGAPPNAME: t.applicationName ?? 'bill-inquiry',
  };
}

/** postgres://… URL of a target (password included: print only on request). */
export function connectionUrl(t: ConnTarget, withPassword = false): string {
  const auth = `${encodeURIComponent(t.user)}${withPassword ? `:${encodeURIComponent(t.password)}` : ''}`;
  const params = new URLSearchParams({
    sslmode: t.caFile ? 'verify-full' : 'require',
    ...(t.caFile ? { sslrootcert: t.caFile } : {}),
  });
  return `postgres://${auth}@${t.host === '127.0.0.1' && t.caFile ? 'localhost' : t.host}:${t.port}/${t.database}?${params.toString()}`;
}
