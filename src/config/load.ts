import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BillInquiryError } from '../errors.js';
import { phonebillProfile, PhonebillEnvError, type PhonebillProfile } from './phonebillEnv.js';
import { configSchema, type Config } from './schema.js';

export const ENV_PREFIX = 'BILL_INQUIRY__';
export const DEFAULT_CONFIG_FILE = 'bill-inquiry.config.json';

type Json = Record<string, unknown>;

export interface LoadOptions {
  /** Explicit config file (`--config`); else BILL_INQUIRY_CONFIG; else ./bill-inquiry.config.json if present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Highest precedence: values from command-line flags. */
  overrides?: Json;
}

/**
 * Defaults ← config file ← phonebill's variables (only with
 * BILL_INQUIRY_ENV_PROFILE=phonebill; its own defaults, e.g. listening on all
 * interfaces, sit just below the file) ← BILL_INQUIRY__* variables ← flags;
 * validated once, frozen.
 */
export function loadConfig(opts: LoadOptions = {}): Readonly<Config> {
  const env = opts.env ?? process.env;
  const profile = loadProfile(env);
  const merged = [
    profile?.defaults ?? {},
    readFile(opts.file ?? env.BILL_INQUIRY_CONFIG),
    profile?.values ?? {},
    fromEnv(env),
    opts.overrides ?? {},
  ].reduce(deepMerge, {});
  // The profile is a container's: never a local cluster started because DB_HOST was forgotten.
  if (profile && !namesDatabase(merged))
    throw new BillInquiryError(
      'ENV_INVALID',
      'DB_HOST is not set: the phonebill profile runs on an external database only',
      'set DB_HOST (and DB_PORT, DB_NAME, DB_USERNAME, DB_PASSWORD), or configure service.database',
    );
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => {
        const key = i.path.join('.');
        const from = profile && sourceOf(profile, key);
        return `${key || '(root)'}${from ? ` (from ${from})` : ''}: ${i.message}`;
      })
      .join('; ');
    throw new BillInquiryError(
      'CONFIG_INVALID',
      `invalid configuration: ${issues}`,
      'fix the file, phonebill or BILL_INQUIRY__* variable named',
    );
  }
  const cfg = parsed.data;
  cfg.dataDir = path.resolve(cfg.dataDir);
  return deepFreeze(cfg);
}

/** Whether the merged input names an external database (service.database.primary, hosts or patroni). */
function namesDatabase(merged: Json): boolean {
  const db = (merged.service as Json | undefined)?.database as Json | undefined;
  return !!db && ['primary', 'hosts', 'patroni'].some((k) => db[k] !== undefined);
}

function loadProfile(env: NodeJS.ProcessEnv): PhonebillProfile | undefined {
  try {
    return phonebillProfile(env);
  } catch (e) {
    if (!(e instanceof PhonebillEnvError)) throw e;
    throw new BillInquiryError('ENV_INVALID', e.message, `fix ${e.variable} (README "phonebill environment profile")`, {
      cause: e,
    });
  }
}

/** The phonebill variable that set `key` or the key above it (an issue of service.database names DB_HOST). */
function sourceOf(p: PhonebillProfile, key: string): string | undefined {
  for (const [k, name] of p.sources) if (k === key || k.startsWith(`${key}.`) || key.startsWith(`${k}.`)) return name;
  return undefined;
}

function readFile(file: string | undefined): Json {
  const candidate = file ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (!candidate) return {};
  if (!existsSync(candidate)) {
    throw new BillInquiryError('CONFIG_MISSING', `config file not found: ${candidate}`, 'check the --config path');
  }
  try {
    return z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync(candidate, 'utf8')));
  } catch (e) {
    throw new BillInquiryError('CONFIG_INVALID', `config file ${candidate} is not a JSON object`, 'fix its syntax', {
      cause: e,
    });
  }
}

/** BILL_INQUIRY__CLUSTER__PORT=5433 → {cluster: {port: 5433}}; values are JSON when they parse as JSON. */
export function fromEnv(env: NodeJS.ProcessEnv): Json {
  const out: Json = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const keys = name.slice(ENV_PREFIX.length).split('__').map(camelCase);
    setPath(out, keys, parseValue(raw));
  }
  if (env.PG_BIN) setPath(out, ['cluster', 'pgBin'], env.PG_BIN);
  return out;
}

const camelCase = (s: string) => s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function setPath(target: Json, keys: string[], value: unknown): void {
  let node = target;
  keys.slice(0, -1).forEach((k) => {
    if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
    node = node[k] as Json;
  });
  node[keys[keys.length - 1]!] = value;
}

function deepMerge(a: Json, b: Json): Json {
  const out: Json = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function deepFreeze<T>(o: T): T {
  if (isPlainObject(o) || Array.isArray(o)) {
    Object.values(o as object).forEach(deepFreeze);
    Object.freeze(o);
  }
  return o;
}
