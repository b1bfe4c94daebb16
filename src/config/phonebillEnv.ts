/**
 * phonebill's environment profile: the variables phonebill's Kubernetes
 * manifests hand its bill service (ConfigMaps cm-common/cm-bill-service,
 * Secrets secret-common/secret-bill-service; design facts §8), mapped onto
 * our config keys. Read only when `BILL_INQUIRY_ENV_PROFILE=phonebill` is set —
 * never because `DB_HOST` or `REDIS_HOST` happen to be in a developer's shell.
 *
 * Pure data and pure functions: docs (README, docs/configuration.md) import
 * the table without side effects.
 */

/** The one variable that switches the profile on. */
export const PROFILE_VAR = 'BILL_INQUIRY_ENV_PROFILE';
export const PHONEBILL_PROFILE = 'phonebill';

export interface PhonebillEnvVar {
  /** phonebill's variable. */
  readonly name: string;
  /** Our config key it sets or is part of; absent: the variable is ignored (`note` says why). */
  readonly key?: string;
  /** Raw text → the key's value; throws an Error saying what was expected (never echoing the value). */
  readonly parse?: (raw: string) => unknown;
  /** What it means here. */
  readonly note: string;
}

const port = (raw: string): number => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 65535) throw new Error('is not a port number (1–65535)');
  return n;
};
const positiveInt = (raw: string): number => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1) throw new Error('is not a whole number above 0');
  return n;
};
const text = (raw: string): string => {
  if (!raw.trim()) throw new Error('is empty');
  return raw.trim();
};
/** Spring/HikariCP durations are milliseconds. */
const millis = positiveInt;
const url = (raw: string): string => {
  try {
    const u = new URL(raw.trim());
    if (!['http:', 'https:'].includes(u.protocol)) throw new Error();
    return u.toString().replace(/\/$/, '');
  } catch {
    throw new Error('is not an http(s):// URL');
  }
};
/** The variable's name itself: secrets are read from the environment when used, never copied into the config. */
const nameOf =
  (name: string) =>
  (raw: string): string => {
    if (!raw) throw new Error('is empty');
    return name;
  };

/** The table: every variable phonebill's bill-service Deployment sets, in its manifests' order. */
export const PHONEBILL_ENV_VARS: readonly PhonebillEnvVar[] = Object.freeze([
  { name: 'SERVER_PORT', key: 'service.port', parse: port, note: 'HTTP port (phonebill: 8082)' },
  {
    name: 'DB_HOST',
    key: 'service.database.primary.host',
    parse: text,
    note: 'the external database (nothing started, applied or supervised); required unless service.database is configured',
  },
  { name: 'DB_PORT', key: 'service.database.primary.port', parse: port, note: 'default 5432' },
  { name: 'DB_NAME', key: 'database.name', parse: text, note: 'database name (plan: bill_inquiry_db)' },
  {
    name: 'DB_USERNAME',
    key: 'service.database.login.user',
    parse: text,
    note: 'one login for both pools: both then go to the primary, and the connection budget counts both',
  },
  {
    name: 'DB_PASSWORD',
    key: 'service.database.login.passwordEnv',
    parse: nameOf('DB_PASSWORD'),
    note: "that login's password: read from the variable at connect time, never copied into the config",
  },
  {
    name: 'DB_MAX_POOL',
    key: 'pool.size',
    parse: positiveInt,
    note: 'connections per pool (HikariCP maximumPoolSize)',
  },
  {
    name: 'DB_MIN_IDLE',
    note: 'ignored: node-postgres opens connections on demand and has no minimum-idle setting (HikariCP minimumIdle)',
  },
  { name: 'DB_CONNECTION_TIMEOUT', key: 'pool.connectionTimeoutMs', parse: millis, note: 'ms, as HikariCP' },
  { name: 'DB_IDLE_TIMEOUT', key: 'pool.idleTimeoutMs', parse: millis, note: 'ms, as HikariCP' },
  {
    name: 'DB_MAX_LIFETIME',
    key: 'pool.maxLifetimeMs',
    parse: millis,
    note: 'ms, as HikariCP (node-postgres counts whole seconds)',
  },
  {
    name: 'REDIS_HOST',
    key: 'service.cache.redis.url',
    parse: text,
    note: 'with REDIS_PORT and REDIS_DATABASE: redis://HOST:PORT/DB; unset: no Redis (the database tables are the shared cache)',
  },
  {
    name: 'REDIS_PORT',
    key: 'service.cache.redis.url',
    parse: port,
    note: 'default 6379; 6380 means TLS (rediss://), as Azure Cache for Redis',
  },
  {
    name: 'REDIS_PASSWORD',
    key: 'service.cache.redis.passwordEnv',
    parse: nameOf('REDIS_PASSWORD'),
    note: "Redis' password (Azure's access key): read from the variable, never copied into the config",
  },
  {
    name: 'REDIS_DATABASE',
    key: 'service.cache.redis.url',
    parse: (raw) => {
      const n = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || n > 15) throw new Error('is not a Redis database number (0–15)');
      return n;
    },
    note: 'the URL path (/DB); default 0',
  },
  {
    name: 'JWT_SECRET',
    key: 'service.jwt.phonebill.secretEnv',
    parse: nameOf('JWT_SECRET'),
    note: "HS512 key of phonebill's Auth tokens (at least 64 bytes), read from the variable",
  },
  {
    name: 'JWT_ACCESS_TOKEN_VALIDITY',
    key: 'service.jwt.phonebill.ttlSeconds',
    parse: (raw) => Math.ceil(millis(raw) / 1000),
    note: 'ms; only the lifetime of tokens `token --format phonebill` issues (a token is checked against its own exp)',
  },
  {
    name: 'KOS_BASE_URL',
    key: 'service.kosUrl',
    parse: url,
    note: 'required; a URL whose path starts with /kos-mock or whose host is named kos-mock… selects service.kosProtocol phonebill-kos-mock',
  },
  {
    name: 'CORS_ALLOWED_ORIGINS',
    key: 'service.cors.allowedOrigins',
    parse: (raw) => {
      const list = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (!list.length) throw new Error('names no origin');
      return list;
    },
    note: 'comma-separated origins of the browser front end',
  },
  {
    name: 'SPRING_PROFILES_ACTIVE',
    note: 'ignored: selects Spring configuration files; this service has none (BILL_INQUIRY_ENV_PROFILE switches this profile)',
  },
]);

type Json = Record<string, unknown>;

/** What the profile contributes to the config, and which variables it read. */
export interface PhonebillProfile {
  /** Below the config file: what the profile means when nothing else says otherwise. */
  defaults: Json;
  /** Between the config file and BILL_INQUIRY__* variables: the values of phonebill's variables. */
  values: Json;
  /** Variables read (names only). */
  used: string[];
  /** Variables set but ignored (names only). */
  ignored: string[];
  /** Our config key → the variable that set it, for error messages. */
  sources: Map<string, string>;
}

/** An error naming a variable (the config loader turns it into ENV_INVALID). */
export class PhonebillEnvError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

export const profileActive = (env: NodeJS.ProcessEnv): boolean => env[PROFILE_VAR] !== undefined;

/**
 * The profile when `BILL_INQUIRY_ENV_PROFILE=phonebill`, else undefined (the
 * variables are then not even looked at). Throws PhonebillEnvError for an
 * unknown profile name or a value that does not parse.
 */
export function phonebillProfile(env: NodeJS.ProcessEnv): PhonebillProfile | undefined {
  const profile = env[PROFILE_VAR];
  if (profile === undefined) return undefined;
  if (profile !== PHONEBILL_PROFILE)
    throw new PhonebillEnvError(PROFILE_VAR, `${PROFILE_VAR} names no known profile (known: ${PHONEBILL_PROFILE})`);
  const parsed = new Map<string, unknown>();
  const used: string[] = [];
  const ignored: string[] = [];
  for (const v of PHONEBILL_ENV_VARS) {
    const raw = env[v.name];
    if (raw === undefined) continue;
    if (!v.key || !v.parse) {
      ignored.push(v.name);
      continue;
    }
    try {
      parsed.set(v.name, v.parse(raw));
    } catch (e) {
      throw new PhonebillEnvError(v.name, `${v.name} ${(e as Error).message} (it sets ${v.key})`);
    }
    used.push(v.name);
  }
  const values: Json = {};
  const sources = new Map<string, string>();
  const set = (key: string, value: unknown, from: string) => {
    setPath(values, key.split('.'), value);
    sources.set(key, from);
  };
  for (const v of PHONEBILL_ENV_VARS)
    if (v.key && parsed.has(v.name) && !COMPOSED.has(v.key)) set(v.key, parsed.get(v.name), v.name);
  if (parsed.has('DB_HOST') && !parsed.has('DB_PORT')) set('service.database.primary.port', 5432, 'DB_HOST');
  if (parsed.has('DB_USERNAME') && !parsed.has('DB_PASSWORD'))
    throw new PhonebillEnvError('DB_PASSWORD', 'DB_PASSWORD is not set, but DB_USERNAME is: set both (the one login)');
  if (parsed.has('REDIS_HOST')) set('service.cache.redis.url', redisUrl(parsed), 'REDIS_HOST');
  else if (parsed.has('REDIS_PORT') || parsed.has('REDIS_DATABASE'))
    throw new PhonebillEnvError('REDIS_HOST', 'REDIS_HOST is not set, but REDIS_PORT or REDIS_DATABASE is');
  const kos = parsed.get('KOS_BASE_URL') as string | undefined;
  if (kos && isPhonebillKosMock(kos)) set('service.kosProtocol', 'phonebill-kos-mock', 'KOS_BASE_URL');
  return {
    // A container: every interface, as Spring Boot listens (BILL_INQUIRY__SERVICE__HOST or the file wins).
    defaults: { service: { host: '0.0.0.0' } },
    values,
    used,
    ignored,
    sources,
  };
}

/** Keys built from several variables rather than set by one. */
const COMPOSED = new Set(['service.cache.redis.url']);

/** redis://HOST:PORT/DB, or rediss:// on 6380 (Azure Cache for Redis accepts only TLS there). */
function redisUrl(parsed: Map<string, unknown>): string {
  const host = parsed.get('REDIS_HOST') as string;
  const p = (parsed.get('REDIS_PORT') as number | undefined) ?? 6379;
  const db = (parsed.get('REDIS_DATABASE') as number | undefined) ?? 0;
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${p === 6380 ? 'rediss' : 'redis'}://${h}:${p}/${db}`;
}

/** phonebill's kos-mock: its servlet path /kos-mock, or its Service name (kos-mock, kos-mock-service). */
export function isPhonebillKosMock(kosUrl: string): boolean {
  const u = new URL(kosUrl);
  return /^\/kos-mock(\/|$)/.test(u.pathname) || /^kos-mock/.test(u.hostname);
}

/** The start-up line: which variables the profile used and ignored (names, never values). */
export function describeProfile(p: PhonebillProfile): string {
  return `${PROFILE_VAR}=${PHONEBILL_PROFILE}: using ${p.used.join(', ') || 'none of phonebill’s variables'}${
    p.ignored.length ? `; ignored ${p.ignored.join(', ')} (see README "phonebill environment profile")` : ''
  }`;
}

function setPath(target: Json, keys: string[], value: unknown): void {
  let node = target;
  keys.slice(0, -1).forEach((k) => {
    if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
    node = node[k] as Json;
  });
  node[keys[keys.length - 1]!] = value;
}
