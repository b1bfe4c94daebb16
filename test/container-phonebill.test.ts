import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { stringify } from 'yaml';
import { SecretStore } from '../src/system/secrets.js';
import { freePort } from '../src/system/freePort.js';
import { cli, json, startCli } from './helpers/cli.js';
import { buildImage, podman, track } from './helpers/container.js';
import { podmanSecretJson } from './helpers/kubePlay.js';
import { startRedis } from './helpers/redis.js';
import { startTempCluster, superuserOn, tempDataDir } from './helpers/tempCluster.js';

/**
 * phonebill's own bill-service manifests (design facts §8) in phonebill's
 * shape — Deployment `bill-service` with `envFrom` ConfigMaps cm-common and
 * cm-bill-service and Secrets secret-common and secret-bill-service, port
 * SERVER_PORT, startup/readiness/liveness probes on the actuator paths —
 * written here with values of our choosing, and only the image swapped for
 * ours. Added, because our image needs them and phonebill's does not:
 * BILL_INQUIRY_ENV_PROFILE=phonebill, the column keys (a Secret every replica
 * shares, in the SecretStore's environment form) and, for this test only, the
 * test CA (Azure's roots are in the image's trust store) and loopback listening.
 */
const LINE = '010-1234-5678';
const DB_PASSWORD = 'phonebill-db-password-0123456789';
const REDIS_PASSWORD = 'phonebill-redis-password';
const JWT_SECRET = 'phonebill-jwt-secret-'.padEnd(72, 'x');

test("phonebill's bill-service Deployment/ConfigMaps/Secrets with our image: kube play brings it to ready and it answers phonebill's API", async () => {
  const image = buildImage();
  const pg = await startTempCluster();
  const caFile = path.join(pg.cfg.dataDir, 'tls', 'ca.crt');
  const admin = superuserOn(pg.cfg.dataDir, pg.primary.port);
  const redis = await startRedis({ password: REDIS_PASSWORD });
  const kosPort = await freePort();
  const kos = startCli([
    'kos-mock',
    '--protocol',
    'phonebill-kos-mock',
    '--port',
    String(kosPort),
    '--latency-ms',
    '0',
  ]);
  after(() => kos.stop());
  await kos.waitFor('KOS mock on');
  const port = await freePort();

  const common = {
    DB_HOST: '127.0.0.1',
    DB_PORT: String(pg.primary.port),
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(redis.port),
    REDIS_DATABASE: '0',
    JWT_ACCESS_TOKEN_VALIDITY: '1800000',
    CORS_ALLOWED_ORIGINS: 'http://127.0.0.1:3000',
    SPRING_PROFILES_ACTIVE: 'prod',
  };
  const billService = {
    SERVER_PORT: String(port),
    DB_NAME: 'bill_inquiry_db',
    DB_USERNAME: 'bill_app_user',
    DB_MAX_POOL: '5',
    DB_MIN_IDLE: '2',
    DB_CONNECTION_TIMEOUT: '10000',
    DB_IDLE_TIMEOUT: '600000',
    DB_MAX_LIFETIME: '1800000',
    KOS_BASE_URL: `http://127.0.0.1:${kosPort}/kos-mock`,
  };
  const secretCommon = { REDIS_PASSWORD, JWT_SECRET };
  const secretBillService = { DB_PASSWORD };

  // The column keys, made once (`keys new`), as the Secret every replica reads.
  const keysDir = path.join(tempDataDir('bi-pb-keys-'), 'keys');
  assert.equal((await cli(['keys', 'new', '--out-dir', keysDir])).code, 0);
  const keyStore = new SecretStore('', {}, keysDir);
  const columnKeys = Object.fromEntries(readdirSync(keysDir).map((f) => [SecretStore.envName(f), keyStore.peek(f)!]));

  // The migration, as the image's job would run it: phonebill's environment plus the admin URL.
  const env = {
    ...process.env,
    BILL_INQUIRY_ENV_PROFILE: 'phonebill',
    ...common,
    ...billService,
    ...secretCommon,
    ...secretBillService,
    ...columnKeys,
    NODE_EXTRA_CA_CERTS: caFile,
    BILL_INQUIRY__DATA_DIR: tempDataDir('bi-pb-migrate-'),
  };
  const adminUrl = `postgres://postgres:${encodeURIComponent(admin.password)}@127.0.0.1:${admin.port}/postgres?sslmode=verify-full&sslrootcert=${caFile}`;
  const migrate = await cli(['--json', 'db', 'apply', '--admin-url', adminUrl], { env, timeoutMs: 300_000 });
  assert.equal(migrate.code, 0, migrate.stderr);

  const configMap = (name: string, data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data,
  });
  const probe = (p: string, period: number) => ({
    httpGet: { path: p, port },
    periodSeconds: period,
    failureThreshold: 3,
  });
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bill-service', labels: { app: 'bill-service' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'bill-service' } },
      template: {
        metadata: { labels: { app: 'bill-service' } },
        spec: {
          containers: [
            {
              name: 'bill-service',
              image, // the one change: our image instead of phonebill's
              imagePullPolicy: 'IfNotPresent',
              // phonebill's `ports: [{containerPort: 8082}]` is left out: podman refuses any port mapping on the host network.
              envFrom: [
                { configMapRef: { name: 'cm-common' } },
                { configMapRef: { name: 'cm-bill-service' } },
                { secretRef: { name: 'secret-common' } },
                { secretRef: { name: 'secret-bill-service' } },
                { secretRef: { name: 'secret-bill-inquiry-keys' } },
              ],
              env: [
                { name: 'BILL_INQUIRY_ENV_PROFILE', value: 'phonebill' },
                { name: 'NODE_EXTRA_CA_CERTS', value: '/etc/test-ca/ca.crt' },
                { name: 'BILL_INQUIRY__SERVICE__HOST', value: '127.0.0.1' },
              ],
              volumeMounts: [{ name: 'test-ca', mountPath: '/etc/test-ca', readOnly: true }],
              startupProbe: { ...probe('/actuator/health', 5), failureThreshold: 60 },
              readinessProbe: probe('/actuator/health/readiness', 5),
              livenessProbe: probe('/actuator/health/liveness', 10),
              resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '1Gi' } },
            },
          ],
          volumes: [{ name: 'test-ca', configMap: { name: 'test-ca' } }],
        },
      },
    },
  };
  const dir = tempDataDir('bi-pb-kube-');
  const file = path.join(dir, 'bill-service.yaml');
  writeFileSync(
    file,
    [
      configMap('cm-common', common),
      configMap('cm-bill-service', billService),
      configMap('test-ca', { 'ca.crt': readFileSync(caFile, 'utf8') }),
      deployment,
    ]
      .map((d) => stringify(d))
      .join('---\n'),
  );
  for (const [name, data] of [
    ['secret-common', secretCommon],
    ['secret-bill-service', secretBillService],
    ['secret-bill-inquiry-keys', columnKeys],
  ] as const) {
    await podman(['secret', 'rm', name]);
    const secretFile = path.join(dir, name);
    writeFileSync(secretFile, podmanSecretJson(data), { mode: 0o600 });
    const made = await podman(['secret', 'create', name, secretFile]);
    assert.equal(made.code, 0, made.stderr);
    track.secret(name);
  }
  for (const v of ['cm-common', 'cm-bill-service', 'test-ca']) {
    await podman(['volume', 'rm', '-f', v]);
    track.volume(v);
  }

  track.kube(file);
  const play = await podman(['kube', 'play', '--network', 'host', file]);
  assert.equal(play.code, 0, play.stderr);
  const base = `http://127.0.0.1:${port}`;
  let ready = 0;
  for (let i = 0; i < 720 && ready !== 200; i++) {
    ready = await fetch(`${base}/actuator/health/readiness`).then(
      (r) => r.status,
      () => 0,
    );
    if (ready !== 200) await new Promise((r) => setTimeout(r, 250));
  }
  const ctr = (await podman(['ps', '-a', '--format', '{{.Names}}'])).stdout
    .split('\n')
    .find((c) => c.startsWith('bill-service') && c.endsWith('-bill-service'))!;
  const logs = (await podman(['logs', ctr])).stderr;
  assert.equal(ready, 200, `readiness: ${logs.slice(-3000)}`);
  assert.match(logs, /BILL_INQUIRY_ENV_PROFILE=phonebill: using SERVER_PORT, DB_HOST/);
  assert.ok(!logs.includes(DB_PASSWORD) && !logs.includes(REDIS_PASSWORD), 'names, never values');
  const live = await fetch(`${base}/actuator/health/liveness`);
  assert.deepEqual([live.status, ((await live.json()) as { status: string }).status], [200, 'UP']);
  assert.equal(
    (await podman(['healthcheck', 'run', ctr])).code,
    0,
    "podman's liveness check (curl in the image) passes",
  );

  const tokenRun = await cli(
    ['--json', 'token', '--format', 'phonebill', '--user', 'pb-user', '--line', LINE, '--customer', 'CUST001'],
    {
      env,
    },
  );
  assert.equal(tokenRun.code, 0, tokenRun.stderr);
  const { token } = json<{ token: string }>(tokenRun);
  const res = await fetch(`${base}/api/v1/bills/inquiry`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ lineNumber: LINE }),
  });
  const body = (await res.json()) as { success: boolean; data: { billInfo?: { lineNumber?: string } } };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.success, true);
  assert.ok(body.data.billInfo, "phonebill's page needs billInfo");

  const down = await podman(['kube', 'down', file]);
  assert.equal(down.code, 0, down.stderr);
});
