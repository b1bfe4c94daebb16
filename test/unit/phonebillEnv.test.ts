import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { describeProfile, PHONEBILL_ENV_VARS, phonebillProfile } from '../../src/config/phonebillEnv.js';
import { topologyKind } from '../../src/topology/open.js';

const README = new URL('../../README.md', import.meta.url);
const BEGIN = '<!-- phonebill-env:begin -->';
const END = '<!-- phonebill-env:end -->';

/** phonebill's bill-service environment as its manifests give it (secret values made up). */
const PHONEBILL: NodeJS.ProcessEnv = {
  BILL_INQUIRY_ENV_PROFILE: 'phonebill',
  SERVER_PORT: '8082',
  DB_HOST: 'phonebill-postgresql.postgres.database.azure.com',
  DB_NAME: 'bill_inquiry_db',
  DB_USERNAME: 'bill_app_user',
  DB_PASSWORD: 'db-password-never-in-config',
  DB_MAX_POOL: '20',
  DB_MIN_IDLE: '5',
  DB_CONNECTION_TIMEOUT: '30000',
  DB_IDLE_TIMEOUT: '600000',
  DB_MAX_LIFETIME: '1800000',
  REDIS_HOST: 'phonebill-redis.redis.cache.windows.net',
  REDIS_PORT: '6380',
  REDIS_PASSWORD: 'redis-key-never-in-config',
  REDIS_DATABASE: '2',
  JWT_SECRET: 'x'.repeat(64),
  JWT_ACCESS_TOKEN_VALIDITY: '1800000',
  KOS_BASE_URL: 'http://kos-mock-service:8080/kos-mock',
  SPRING_PROFILES_ACTIVE: 'prod',
};

const invalid = (env: NodeJS.ProcessEnv, re: RegExp) =>
  assert.throws(
    () => loadConfig({ env }),
    (e: Error & { code?: string }) => re.test(e.message) && e.code !== undefined,
  );

test('without BILL_INQUIRY_ENV_PROFILE phonebill variables are ignored: DB_HOST in a shell changes nothing', () => {
  const { BILL_INQUIRY_ENV_PROFILE: _, ...shell } = PHONEBILL;
  const cfg = loadConfig({ env: shell });
  assert.deepEqual(cfg, loadConfig({ env: {} }), 'the same config as with an empty environment');
  assert.equal(cfg.service.database, undefined);
  assert.equal(topologyKind(cfg), 'plain', '`npm start` still runs the local cluster');
  assert.equal(cfg.service.host, '127.0.0.1');
  assert.equal(phonebillProfile(shell), undefined);
});

test("the profile maps phonebill's variables; secrets stay in their variables, never in the config", () => {
  const cfg = loadConfig({ env: PHONEBILL });
  assert.equal(topologyKind(cfg), 'external');
  assert.equal(cfg.service.port, 8082);
  assert.equal(cfg.service.host, '0.0.0.0', 'a container listens on every interface, as Spring Boot');
  assert.deepEqual(cfg.service.database?.primary, { host: PHONEBILL.DB_HOST, port: 5432 });
  assert.equal(cfg.service.database?.allowUnverifiedTls, false);
  assert.deepEqual(cfg.service.database?.login, { user: 'bill_app_user', passwordEnv: 'DB_PASSWORD' });
  assert.equal(cfg.database.name, 'bill_inquiry_db');
  assert.deepEqual(
    [cfg.pool.size, cfg.pool.connectionTimeoutMs, cfg.pool.idleTimeoutMs, cfg.pool.maxLifetimeMs],
    [20, 30_000, 600_000, 1_800_000],
    'Spring durations in ms',
  );
  assert.equal(cfg.service.cache.redis.url, 'rediss://phonebill-redis.redis.cache.windows.net:6380/2', '6380 = TLS');
  assert.equal(cfg.service.cache.redis.passwordEnv, 'REDIS_PASSWORD');
  assert.equal(cfg.service.jwt.phonebill.secretEnv, 'JWT_SECRET');
  assert.equal(cfg.service.jwt.phonebill.ttlSeconds, 1800);
  assert.equal(cfg.service.kosUrl, 'http://kos-mock-service:8080/kos-mock');
  assert.equal(cfg.service.kosProtocol, 'phonebill-kos-mock', "phonebill's kos-mock path selects its protocol");
  const text = JSON.stringify(cfg);
  for (const secret of [PHONEBILL.DB_PASSWORD!, PHONEBILL.REDIS_PASSWORD!, PHONEBILL.JWT_SECRET!])
    assert.ok(!text.includes(secret), 'no secret value is copied into the config');

  const p = phonebillProfile(PHONEBILL)!;
  assert.deepEqual(p.ignored, ['DB_MIN_IDLE', 'SPRING_PROFILES_ACTIVE']);
  const line = describeProfile(p);
  assert.match(line, /using SERVER_PORT, DB_HOST, .*KOS_BASE_URL; ignored DB_MIN_IDLE, SPRING_PROFILES_ACTIVE/);
  for (const v of Object.values(PHONEBILL)) if (v !== 'phonebill') assert.ok(!line.includes(v!), 'names, never values');
});

test('plain Redis on 6379 by default; a design KOS URL keeps the design protocol', () => {
  const cfg = loadConfig({
    env: { ...PHONEBILL, REDIS_PORT: undefined, REDIS_DATABASE: undefined, KOS_BASE_URL: 'https://kos.example.com' },
  });
  assert.equal(cfg.service.cache.redis.url, 'redis://phonebill-redis.redis.cache.windows.net:6379/0');
  assert.equal(cfg.service.kosProtocol, 'design');
});

test('a value that does not parse is an error naming the variable (and not echoing the value)', () => {
  invalid({ ...PHONEBILL, SERVER_PORT: 'eighty-two' }, /^SERVER_PORT is not a port number/);
  invalid({ ...PHONEBILL, DB_MAX_POOL: '0' }, /^DB_MAX_POOL is not a whole number above 0 \(it sets pool.size\)/);
  invalid({ ...PHONEBILL, DB_IDLE_TIMEOUT: '10m' }, /^DB_IDLE_TIMEOUT /);
  invalid({ ...PHONEBILL, REDIS_DATABASE: '16' }, /^REDIS_DATABASE is not a Redis database number/);
  invalid({ ...PHONEBILL, KOS_BASE_URL: 'kos-mock:8080' }, /^KOS_BASE_URL is not an http\(s\):\/\/ URL/);
  invalid({ ...PHONEBILL, DB_PASSWORD: undefined }, /^DB_PASSWORD is not set, but DB_USERNAME is/);
  invalid(
    { ...PHONEBILL, DB_HOST: undefined },
    /^DB_HOST is not set: the phonebill profile runs on an external database only/,
  );
  invalid({ ...PHONEBILL, BILL_INQUIRY_ENV_PROFILE: 'spring' }, /BILL_INQUIRY_ENV_PROFILE names no known profile/);
  // What parses but the schema refuses is named by its variable too.
  invalid({ ...PHONEBILL, DB_NAME: 'Bill-DB' }, /database\.name \(from DB_NAME\)/);
  assert.throws(
    () => loadConfig({ env: { ...PHONEBILL, SERVER_PORT: 'eighty-two' } }),
    (e: Error) => !e.message.includes('eighty-two'),
  );
});

test('precedence: defaults ← config file ← phonebill variables ← BILL_INQUIRY__* ← flags, one case per level', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bi-pb-'));
  const file = path.join(dir, 'cfg.json');
  writeFileSync(file, JSON.stringify({ service: { port: 9001, host: '127.0.0.2' }, pool: { size: 7 } }));
  const profileOnly = { BILL_INQUIRY_ENV_PROFILE: 'phonebill', KOS_BASE_URL: 'http://kos:1', DB_HOST: 'db' };
  // defaults
  assert.equal(loadConfig({ env: profileOnly }).service.port, 8080);
  assert.equal(loadConfig({ env: profileOnly }).pool.size, 15);
  // the file beats the defaults, and the profile's own default (0.0.0.0) too
  const fromFile = loadConfig({ env: profileOnly, file });
  assert.deepEqual([fromFile.service.port, fromFile.service.host, fromFile.pool.size], [9001, '127.0.0.2', 7]);
  // phonebill variables beat the file
  const pb = { ...profileOnly, SERVER_PORT: '8082', DB_MAX_POOL: '20' };
  const fromPb = loadConfig({ env: pb, file });
  assert.deepEqual([fromPb.service.port, fromPb.pool.size], [8082, 20]);
  // BILL_INQUIRY__* beat phonebill variables
  const ours = { ...pb, BILL_INQUIRY__SERVICE__PORT: '9100', BILL_INQUIRY__POOL__SIZE: '9' };
  const fromOurs = loadConfig({ env: ours, file });
  assert.deepEqual([fromOurs.service.port, fromOurs.pool.size], [9100, 9]);
  // flags beat everything
  const fromFlags = loadConfig({ env: ours, file, overrides: { service: { port: 9200 }, pool: { size: 3 } } });
  assert.deepEqual([fromFlags.service.port, fromFlags.pool.size], [9200, 3]);
});

test('listening on every interface is the profile default; BILL_INQUIRY__SERVICE__HOST wins', () => {
  const env = { ...PHONEBILL, BILL_INQUIRY__SERVICE__HOST: '127.0.0.1' };
  assert.equal(loadConfig({ env }).service.host, '127.0.0.1');
});

test('CORS_ALLOWED_ORIGINS (comma-separated) → service.cors.allowedOrigins', () => {
  const env = { ...PHONEBILL, CORS_ALLOWED_ORIGINS: 'https://phonebill.example.com, http://localhost:3000,' };
  assert.deepEqual(loadConfig({ env }).service.cors.allowedOrigins, [
    'https://phonebill.example.com',
    'http://localhost:3000',
  ]);
  assert.deepEqual(loadConfig({ env: PHONEBILL }).service.cors.allowedOrigins, [], 'unset: no CORS');
  invalid({ ...PHONEBILL, CORS_ALLOWED_ORIGINS: ' , ' }, /^CORS_ALLOWED_ORIGINS names no origin/);
  // '*' with credentials is refused by the schema; the message names the variable.
  invalid(
    { ...env, CORS_ALLOWED_ORIGINS: '*', BILL_INQUIRY__SERVICE__CORS__CREDENTIALS: 'true' },
    /service\.cors[^:]* \(from CORS_ALLOWED_ORIGINS\)/,
  );
});

/** The README table, rendered from PHONEBILL_ENV_VARS (WRITE_DOCS=1 rewrites it). */
function table(): string {
  const rows = PHONEBILL_ENV_VARS.map(
    (v) => `| \`${v.name}\` | ${v.key ? `\`${v.key}\`` : '— ignored'} | ${v.note.replace(/\|/g, '\\|')} |`,
  );
  return ['| phonebill variable | Our config key | Notes |', '|---|---|---|', ...rows].join('\n');
}

test("README's table of phonebill variables matches PHONEBILL_ENV_VARS", () => {
  const doc = readFileSync(README, 'utf8');
  const [head, rest] = doc.split(BEGIN);
  const tail = rest?.split(END)[1];
  assert.ok(head !== undefined && tail !== undefined, `README lacks the ${BEGIN} … ${END} markers`);
  const expected = `${head}${BEGIN}\n${table()}\n${END}${tail}`;
  if (process.env.WRITE_DOCS) return writeFileSync(README, expected);
  assert.ok(
    doc === expected,
    "README's phonebill table is stale: run WRITE_DOCS=1 node --import tsx --test test/unit/phonebillEnv.test.ts",
  );
});
