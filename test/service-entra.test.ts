import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import pg, { escapeIdentifier } from 'pg';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { renderIdentitySql } from '../src/azure/identitySql.js';
import { loadConfig } from '../src/config/load.js';
import type { BillInquiryError } from '../src/errors.js';
import { clientConfig } from '../src/db/connection.js';
import { startKosMock } from '../src/kos/mock/server.js';
import { applyDatabase } from '../src/platform/apply.js';
import { scramVerifier } from '../src/db/scram.js';
import { issueToken } from '../src/service/auth/tokens.js';
import { startService } from '../src/service/start.js';
import { startTempCluster } from './helpers/tempCluster.js';

/*
 * §3.3/§7.2 for real, on a local PostgreSQL standing in for Flexible Server:
 * the service signs in as the managed identity's role with tokens from a
 * credential. The injected credential is a TokenCredential whose tokens are
 * the role's passwords, and the test rotates that password (ALTER ROLE with a
 * SCRAM verifier, so no password reaches the server log) while requests run.
 *
 * Entra accepts every unexpired token, PostgreSQL only the role's current
 * password, so the test rotates when the pool is not opening connections: the
 * pool is small and saturated (it never grows), and its connections reach
 * their maximum lifetime together, so new ones open in bursts every
 * `LIFETIME_S`; each rotation waits for a quiet moment after a burst. The next
 * burst can only sign in if the service fetched the new token on its own.
 */

const LIFETIME_S = 4;
const POOL = 4;
const LOAD = 16;
const ROTATIONS = 3;
const IDENTITY = 'bill-inquiry-service-identity';
const LINES = ['010-1234-5678', '010-8765-4321', '010-5555-4444', '010-9999-8888'];

const base = { server: { memoryMb: 1024 } };
const cluster = await startTempCluster({ overrides: base });
const db = cluster.cfg.database.name;
const admin = cluster.primary.target(db);
await applyDatabase(cluster.cfg, cluster.primary.target());

const newPassword = () => randomBytes(24).toString('base64url');
let current = newPassword();
// What pgaadauth_create_principal does on Azure, locally: a login role for the identity…
await cluster.primary.query(
  `CREATE ROLE ${escapeIdentifier(IDENTITY)} LOGIN PASSWORD '${scramVerifier(current)}'`,
  [],
  db,
);
// …and the grant `azure sql` renders for the server admin, as rendered.
await cluster.primary.query(renderIdentitySql(cluster.cfg).serverAdmin, [], db);

const issued: string[] = [];
const credential: TokenCredential = {
  async getToken(scopes): Promise<AccessToken> {
    assert.equal(scopes, 'https://ossrdbms-aad.database.windows.net/.default');
    issued.push(current);
    // Short-lived, so every burst of new connections finds it due (1 s before expiry).
    return { token: current, expiresOnTimestamp: Date.now() + 3000 };
  },
};

const cfg = loadConfig({
  env: {},
  overrides: {
    ...base,
    dataDir: cluster.cfg.dataDir,
    cluster: { port: cluster.cfg.cluster.port, replicaPort: cluster.cfg.cluster.replicaPort },
    pool: { size: POOL, maxLifetimeMs: LIFETIME_S * 1000 },
    service: {
      port: 0,
      history: { flushIntervalMs: 50, retryDelayMs: 200 },
      kosMock: { latencyMs: 0 },
      database: {
        primary: { host: cluster.cfg.cluster.host, port: cluster.primary.port },
        caFile: admin.caFile,
        auth: 'entra',
        entra: { refreshBeforeExpiryMs: 1000 },
      },
    },
  },
});
const kos = await startKosMock(cfg.service.kosMock);
const service = await startService(cfg, { port: 0, kosUrl: kos.url, credential });
after(async () => {
  await service.stop();
  await kos.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for `cond`; fails naming `what` (and the failed requests so far) after several pool lifetimes. */
async function until(what: string, cond: () => boolean, failed: string[]): Promise<void> {
  const end = Date.now() + 5 * LIFETIME_S * 1000;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`${what} did not happen; failed requests: ${failed.slice(0, 3).join(' | ')}`);
    await sleep(50);
  }
}

test('with service.database.auth=entra the pools sign in as the identity with token passwords; rotating the token mid-load fails no request', async () => {
  const token = issueToken(cfg, { userId: 'entra-user', lines: LINES, ttlSeconds: 600 });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const outcome = { ok: 0, failed: [] as string[] };
  let running = true;
  const loop = async (i: number) => {
    for (let n = 0; running; n++) {
      const line = LINES[(i + n) % LINES.length]!;
      // Mostly history reads (each one a query, so the pool stays saturated), some inquiries (history writes).
      const res =
        n % 10 === 0
          ? await fetch(`${service.url}/bills/inquiry`, {
              method: 'POST',
              headers,
              body: JSON.stringify({ lineNumber: line }),
            })
          : await fetch(`${service.url}/bills/history?lineNumber=${line}&size=5`, { headers });
      const body = await res.text();
      if (res.ok) outcome.ok++;
      else outcome.failed.push(`${res.status} ${body.slice(0, 200)}`);
    }
  };
  const loops = Array.from({ length: LOAD }, (_, i) => loop(i));

  // The pool the service opened (lazily, on the first query) and every connection it opens from now on.
  await sleep(300);
  const pool = (await service.runtime.primary.current())!;
  const connects: number[] = [];
  pool.on('connect', () => connects.push(Date.now()));
  const as = await pool.query('SELECT current_user AS u, pg_has_role(current_user, $1, $2) AS app', [
    cfg.database.roles.app,
    'MEMBER',
  ]);
  assert.deepEqual(as.rows[0], { u: IDENTITY, app: true }, 'the pool is the identity, with bill_app_user privileges');

  const rotations: Array<{ at: number; old: string; connectsAfter?: number }> = [];
  for (let k = 0; k < ROTATIONS; k++) {
    // A quiet moment: a burst has just completed and the next is LIFETIME_S away.
    const seen = connects.length;
    await until(
      `a burst of new connections (rotation ${k + 1})`,
      () => connects.length > seen && Date.now() - connects.at(-1)! >= 500,
      outcome.failed,
    );
    const old = current;
    current = newPassword();
    await cluster.primary.query(
      `ALTER ROLE ${escapeIdentifier(IDENTITY)} PASSWORD '${scramVerifier(current)}'`,
      [],
      db,
    );
    rotations.push({ at: Date.now(), old });
  }
  // One more burst after the last rotation.
  const lastSeen = connects.length;
  try {
    await until('the burst after the last rotation', () => connects.length >= lastSeen + POOL, outcome.failed);
  } finally {
    running = false;
    await Promise.all(loops);
  }

  for (const [i, r] of rotations.entries()) {
    const next = rotations[i + 1]?.at ?? Infinity;
    r.connectsAfter = connects.filter((t) => t > r.at && t < next).length;
    assert.ok(r.connectsAfter >= 1, `connections were opened after rotation ${i + 1}, with its new password`);
    // The old password is really gone: whoever signed in after the rotation had the new one.
    const stale = new pg.Client(clientConfig({ ...admin, user: IDENTITY, password: r.old }));
    await assert.rejects(stale.connect(), (e: { code?: string }) => e.code === '28P01');
    await stale.end().catch(() => undefined);
  }
  assert.deepEqual(outcome.failed, [], 'no request failed');
  assert.ok(outcome.ok > 200, `requests ran throughout (${outcome.ok})`);
  assert.ok(new Set(issued).size >= ROTATIONS + 1, 'the service fetched every rotated token itself, without a restart');
  process.stdout.write(
    `# ${outcome.ok} requests, 0 failed; ${rotations.length} rotations, new connections after each: ${rotations.map((r) => r.connectsAfter).join(', ')}; tokens fetched ${issued.length}\n`,
  );
});

test('without a token to be had, the service refuses to start and says why', async () => {
  const failing: TokenCredential = {
    getToken: async () => {
      throw new Error('ManagedIdentityCredential: no managed identity endpoint found');
    },
  };
  await assert.rejects(startService(cfg, { port: 0, kosUrl: kos.url, credential: failing }), (e: BillInquiryError) => {
    assert.equal(e.code, 'ENTRA_TOKEN');
    assert.match(e.message, /no Microsoft Entra token for https:\/\/ossrdbms-aad.*no managed identity endpoint found/);
    assert.match(e.hint ?? '', /managed identity \(service\.database\.entra\.clientId/);
    return true;
  });
});
