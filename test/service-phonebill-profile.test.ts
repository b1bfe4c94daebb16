import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { freePort } from '../src/system/freePort.js';
import { cli, json, startCli, type RunningCli } from './helpers/cli.js';
import { startRedis } from './helpers/redis.js';
import { startTempCluster, superuserOn, tempDataDir } from './helpers/tempCluster.js';

/**
 * phonebill's bill-service Deployment, with our image: only phonebill's
 * variables plus BILL_INQUIRY_ENV_PROFILE=phonebill, no config file, no
 * secrets in a data dir. The database is a PostgreSQL this test started with
 * a certificate of its own test CA (openssl, src/cluster/local/tls.ts),
 * installed by `db apply --admin-url` as the image's migration job would; KOS
 * is the bundled mock in phonebill's kos-mock protocol, started separately.
 */
const LINE = '010-1234-5678';
const APP_PASSWORD = 'phonebill-db-password-0123456789';
const months = availableMonths(currentMonth('Asia/Seoul'), 3);
/** phonebill's React front end, calling the bill service from another origin. */
const FRONT = 'http://127.0.0.1:3000';

const pg = await startTempCluster();
const ca = path.join(pg.cfg.dataDir, 'tls', 'ca.crt');
const admin = superuserOn(pg.cfg.dataDir, pg.primary.port);
const adminUrl = `postgres://postgres:${encodeURIComponent(admin.password)}@127.0.0.1:${admin.port}/postgres?sslmode=verify-full&sslrootcert=${ca}`;
const redis = await startRedis({ password: 'phonebill-redis-password' });
const kosPort = await freePort();
const kos = startCli(['kos-mock', '--protocol', 'phonebill-kos-mock', '--port', String(kosPort), '--latency-ms', '0']);
after(() => kos.stop());
await kos.waitFor('KOS mock on');

/** The column keys a Kubernetes Secret would hold, mounted on every replica. */
const keysDir = path.join(tempDataDir('bi-keys-'), 'column-keys');
const madeKeys = await cli(['--json', 'keys', 'new', '--out-dir', keysDir]);
assert.equal(madeKeys.code, 0, madeKeys.stderr);

/** The environment of one replica: phonebill's ConfigMaps and Secrets. */
function phonebillEnv(port: number, dataDir = tempDataDir('bi-pb-')): Record<string, string | undefined> {
  return {
    BILL_INQUIRY_ENV_PROFILE: 'phonebill',
    SERVER_PORT: String(port),
    DB_HOST: '127.0.0.1',
    DB_PORT: String(pg.primary.port),
    DB_NAME: 'bill_inquiry_db',
    DB_USERNAME: 'bill_app_user',
    DB_PASSWORD: APP_PASSWORD,
    DB_MAX_POOL: '5',
    DB_MIN_IDLE: '2',
    DB_CONNECTION_TIMEOUT: '10000',
    DB_IDLE_TIMEOUT: '600000',
    DB_MAX_LIFETIME: '1800000',
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(redis.port),
    REDIS_PASSWORD: 'phonebill-redis-password',
    REDIS_DATABASE: '0',
    JWT_SECRET: 'phonebill-jwt-secret-'.padEnd(72, 'x'),
    JWT_ACCESS_TOKEN_VALIDITY: '1800000',
    KOS_BASE_URL: `http://127.0.0.1:${kosPort}/kos-mock`,
    CORS_ALLOWED_ORIGINS: `${FRONT}, http://localhost:3000`,
    SPRING_PROFILES_ACTIVE: 'prod',
    // What the container adds: the test CA as a trusted root (as Azure's roots are in Node's store),
    // the mounted Secret, the journal's directory, and loopback only (the profile listens on 0.0.0.0).
    NODE_EXTRA_CA_CERTS: ca,
    BILL_INQUIRY__SERVICE__ENCRYPTION__KEYS_DIR: keysDir,
    BILL_INQUIRY__DATA_DIR: dataDir,
    BILL_INQUIRY__SERVICE__HOST: '127.0.0.1',
  };
}

// The image's migration job: the same environment plus the admin URL; DB_USERNAME is bill_app_user, so
// `db apply` gives that role DB_PASSWORD.
const migrate = await cli(['--json', 'db', 'apply', '--admin-url', adminUrl], {
  env: phonebillEnv(8082),
  timeoutMs: 300_000,
});
assert.equal(migrate.code, 0, migrate.stderr);

const running: RunningCli[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

async function startReplica(): Promise<{ url: string; serve: RunningCli; env: Record<string, string | undefined> }> {
  const port = await freePort();
  const env = phonebillEnv(port);
  const serve = startCli(['serve'], { env });
  running.push(serve);
  await serve.waitFor('Ctrl-C');
  return { url: `http://127.0.0.1:${port}`, serve, env };
}

async function api(base: string, method: string, p: string, token: string, body?: unknown) {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as { data: { billInfo?: unknown } & Record<string, unknown> } };
}

test('serve with only phonebill variables: external database verified against the test CA, KOS mock at KOS_BASE_URL, two replicas share keys and cache', async () => {
  const a = await startReplica();
  const b = await startReplica();
  for (const r of [a, b]) {
    const out = r.serve.stderr;
    assert.match(out, /BILL_INQUIRY_ENV_PROFILE=phonebill: using SERVER_PORT, DB_HOST, DB_PORT, DB_NAME, DB_USERNAME,/);
    assert.match(out, /ignored DB_MIN_IDLE, SPRING_PROFILES_ACTIVE/);
    assert.ok(!out.includes(APP_PASSWORD) && !out.includes('phonebill-redis-password'), 'names, never values');
    assert.match(
      out,
      /external database \(service\.database, 127\.0\.0\.1:\d+\): nothing started, applied or supervised/,
    );
    assert.match(
      out,
      /pool 5 \+ read pool 5 on the primary \(one login\) \+ 1 listener/,
      'the budget counts both pools',
    );
    assert.doesNotMatch(out, /KOS mock on/, 'no mock in-process: KOS is KOS_BASE_URL');
  }
  const tokenRun = await cli(
    ['--json', 'token', '--format', 'phonebill', '--user', 'pb-user', '--line', LINE, '--customer', 'CUST001'],
    { env: a.env },
  );
  assert.equal(tokenRun.code, 0, tokenRun.stderr);
  const { token } = json<{ token: string }>(tokenRun);

  // phonebill's ingress path on SERVER_PORT, and the design's.
  for (const p of ['/api/v1/bills/menu', '/bills/menu']) {
    const menu = await api(a.url, 'GET', p, token);
    assert.equal(menu.status, 200, `${p}: ${JSON.stringify(menu.body)}`);
    assert.deepEqual(menu.body.data.customerInfo, { customerId: 'CUST001', lineNumber: LINE });
  }
  // CORS_ALLOWED_ORIGINS: the front end's preflight is answered for its origin.
  const preflight = await fetch(`${a.url}/api/v1/bills/inquiry`, {
    method: 'OPTIONS',
    headers: {
      origin: FRONT,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
    },
  });
  assert.equal(preflight.headers.get('access-control-allow-origin'), FRONT);

  // Each replica fetches one month from KOS: encrypted under the shared key, shared through Redis.
  const fromA = await api(a.url, 'POST', '/bills/inquiry', token, { lineNumber: LINE, inquiryMonth: months[0] });
  const fromB = await api(b.url, 'POST', '/bills/inquiry', token, { lineNumber: LINE, inquiryMonth: months[1] });
  assert.equal(fromA.status, 200, JSON.stringify(fromA.body));
  assert.equal(fromB.status, 200, JSON.stringify(fromB.body));

  // A key rotation reaches both replicas (they re-read the shared keys dir when told).
  const rotate = await cli(['--json', 'keys', 'rotate'], {
    env: { ...a.env, BILL_INQUIRY__SERVICE__ENCRYPTION__ROTATE_GRACE_MS: '500' },
  });
  assert.equal(rotate.code, 0, rotate.stderr);
  const { keyId } = json<{ keyId: string }>(rotate);
  for (const r of [a, b]) await until(`a replica switched to ${keyId}`, () => r.serve.stderr.includes(keyId));
  const afterRotation = await api(b.url, 'POST', '/bills/inquiry', token, {
    lineNumber: LINE,
    inquiryMonth: months[2],
  });
  assert.equal(afterRotation.status, 200, JSON.stringify(afterRotation.body));

  const shared = new Redis({ port: redis.port, password: 'phonebill-redis-password', lazyConnect: true });
  await shared.connect();
  try {
    await until(
      'all three bills are in Redis',
      async () => (await shared.keys('bill-inquiry:bill_info:*')).length >= 3,
    );
    const stored = await shared.mget(...(await shared.keys('bill-inquiry:bill_info:*')));
    assert.ok(
      stored.every((v) => v && !v.includes('totalAmount')),
      'Redis holds ciphertext only',
    );
  } finally {
    shared.disconnect();
  }

  // KOS gone: every answer now comes from what the other replica cached and encrypted.
  await kos.stop();
  const cases: [typeof a, string, unknown][] = [
    [a, months[1]!, fromB.body.data.billInfo],
    [a, months[2]!, afterRotation.body.data.billInfo],
    [b, months[0]!, fromA.body.data.billInfo],
  ];
  for (const [r, month, expected] of cases) {
    const got = await api(r.url, 'POST', '/bills/inquiry', token, { lineNumber: LINE, inquiryMonth: month });
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.deepEqual(got.body.data.billInfo, expected, `${month}: decrypted the other replica's cached bill`);
  }

  for (const r of [a, b]) {
    const secrets = path.join(String(r.env.BILL_INQUIRY__DATA_DIR), 'secrets');
    const files = (() => {
      try {
        return readdirSync(secrets);
      } catch {
        return [];
      }
    })();
    assert.deepEqual(
      files.filter((f) => f.startsWith('column-key') || f.startsWith('bill_')),
      [],
      'no key or login generated into the data dir',
    );
  }
});

test('startup errors: a bad value names its variable; no KOS_BASE_URL; a certificate of an unknown CA or another name is refused; an uninstalled database points to db apply', async () => {
  const env = phonebillEnv(await freePort());
  const bad = await cli(['serve'], { env: { ...env, DB_MAX_POOL: 'lots' } });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /DB_MAX_POOL is not a whole number above 0/);

  const noKos = await cli(['serve'], { env: { ...env, KOS_BASE_URL: undefined } });
  assert.notEqual(noKos.code, 0);
  assert.match(noKos.stderr, /KOS_BASE_URL is not set/);

  const noJwt = await cli(['serve'], { env: { ...env, JWT_SECRET: undefined } });
  assert.notEqual(noJwt.code, 0);
  assert.match(noJwt.stderr, /JWT_SECRET is not set \(phonebill environment profile\)/);

  // Without the test CA among the trusted roots the server's certificate is not trusted: refused, not used.
  const unknownCa = await cli(['serve'], { env: { ...env, NODE_EXTRA_CA_CERTS: undefined } });
  assert.notEqual(unknownCa.code, 0);
  assert.match(unknownCa.stderr, /DB_CERT_UNTRUSTED|TLS certificate is refused/);
  assert.match(unknownCa.stderr, /self-signed certificate in certificate chain|unable to (verify|get)/);

  // serve never installs an external database: the error says who does.
  const notInstalled = await cli(['serve'], { env: { ...env, DB_NAME: 'bill_not_installed_db' } });
  assert.notEqual(notInstalled.code, 0);
  assert.match(notInstalled.stderr, /database bill_not_installed_db does not exist/);
  assert.match(notInstalled.stderr, /db apply --admin-url .*`serve` never installs an external database/);

  // A name the certificate does not hold (verify-full checks the host name too).
  const otherName = await cli(['serve'], {
    env: { ...env, BILL_INQUIRY__SERVICE__DATABASE__SERVERNAME: 'phonebill-postgresql.example' },
  });
  assert.notEqual(otherName.code, 0);
  assert.match(otherName.stderr, /TLS certificate is refused/);
});

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok()) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  assert.ok(await ok(), what);
}
