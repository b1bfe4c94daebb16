import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { clientConfig, libpqEnv } from '../../src/db/connection.js';
import { Keyring, newKeyFiles, openKeyring } from '../../src/service/crypto/keyring.js';
import { SecretStore } from '../../src/system/secrets.js';
import { ExternalTopology } from '../../src/topology/external.js';
import { parseAdminUrl } from '../../src/topology/adminUrl.js';

const external = (database: Record<string, unknown> = {}) =>
  loadConfig({
    env: {},
    overrides: {
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'bi-ext-')),
      service: { database: { primary: { host: 'db.example.com', port: 5432 }, ...database } },
    },
  });

test('external database without caFile: verify-full against the trusted store (chain and host name)', () => {
  const t = new ExternalTopology(external()).connection({ host: 'db.example.com', port: 5432 }, 'd', 'u', 'p');
  assert.equal(t.verifyFull, true);
  const ssl = clientConfig(t).ssl as { rejectUnauthorized: boolean; servername: string; ca?: string };
  assert.deepEqual([ssl.rejectUnauthorized, ssl.servername, ssl.ca], [true, 'db.example.com', undefined]);
  assert.equal(libpqEnv(t).PGSSLMODE, 'verify-full');
  assert.ok(libpqEnv(t).PGSSLROOTCERT, 'libpq tools get the system bundle');
});

test('allowUnverifiedTls is the only way to an unverified external connection', () => {
  const t = new ExternalTopology(external({ allowUnverifiedTls: true })).connection(
    { host: 'db.example.com', port: 5432 },
    'd',
    'u',
    'p',
  );
  assert.equal((clientConfig(t).ssl as { rejectUnauthorized: boolean }).rejectUnauthorized, false);
  assert.equal(libpqEnv(t).PGSSLMODE, 'require');
});

test('an admin URL with sslmode=verify-full and no sslrootcert is verified against the trusted store', () => {
  assert.equal(parseAdminUrl('postgres://a:b@h:5432/postgres?sslmode=verify-full').template.verifyFull, true);
  assert.equal(parseAdminUrl('postgres://a:b@h:5432/postgres?sslmode=require').template.verifyFull, undefined);
});

test('on an external database no column key is generated: KEYS_MISSING says how to make one', () => {
  const cfg = external();
  assert.throws(
    () => openKeyring(cfg),
    (e: Error & { code?: string; hint?: string }) =>
      e.code === 'KEYS_MISSING' && /keys new --out-dir/.test(e.hint ?? '') && /replicas/.test(e.message),
  );
  assert.deepEqual(readdirSync(cfg.dataDir), [], 'nothing written');
});

test('keys new --out-dir writes 0600 key files a keysDir serves; --rotate adds one and makes it current', () => {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'bi-keys-')), 'keys');
  const first = newKeyFiles(dir, { rotate: false });
  assert.equal(statSync(path.join(dir, `column-key-${first.keyId}`)).mode & 0o777, 0o600);
  assert.throws(() => newKeyFiles(dir, { rotate: false }), /already holds column keys/);
  const second = newKeyFiles(dir, { rotate: true });
  assert.notEqual(second.keyId, first.keyId);
  assert.deepEqual(second.keys, [first.keyId, second.keyId].sort());
  const cfg = loadConfig({
    env: {},
    overrides: {
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'bi-ext-')),
      service: {
        database: { primary: { host: 'db', port: 5432 } },
        encryption: { keysDir: dir },
      },
    },
  });
  const ring = openKeyring(cfg);
  assert.equal(ring.current.id, second.keyId);
  assert.equal(ring.key(first.keyId).length, 32, 'old keys stay readable');
  // A replica reading the same directory switches when it is told (KeyWatcher → reload).
  const replica = new Keyring(new SecretStore('', {}, dir), { generate: false });
  const third = newKeyFiles(dir, { rotate: true });
  assert.deepEqual(replica.reload(), { id: third.keyId, switched: true });
});
