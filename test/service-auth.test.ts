import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createSigner } from 'fast-jwt';
import { issueToken, tokenVerifier } from '../src/service/auth/tokens.js';
import { ColumnCipher } from '../src/service/crypto/columnCipher.js';
import { Keyring } from '../src/service/crypto/keyring.js';
import { safeError } from '../src/service/logSafe.js';
import { SecretStore } from '../src/system/secrets.js';
import { testConfig } from './helpers/tempCluster.js';

test('HS256: issued tokens verify with the same data dir, not with another', async () => {
  const cfg = await testConfig();
  const token = issueToken(cfg, { userId: 'u1', lines: ['01012345678', '010-2222-3333'] });
  assert.deepEqual(tokenVerifier(cfg)(token), { userId: 'u1', lines: ['010-1234-5678', '010-2222-3333'] });
  const other = await testConfig();
  assert.throws(() => tokenVerifier(other)(token));
});

test('RS256: tokens of the Auth service verify with its public key; HS256 ones are refused', async () => {
  const base = await testConfig();
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pubFile = path.join(base.dataDir, 'auth.pub.pem');
  writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
  const cfg = await testConfig({
    dataDir: base.dataDir,
    service: { jwt: { algorithm: 'RS256', publicKeyFile: pubFile } },
  });
  const sign = createSigner({
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    algorithm: 'RS256',
    iss: cfg.service.jwt.issuer,
    aud: cfg.service.jwt.audience,
    expiresIn: 60_000,
  });
  assert.equal(tokenVerifier(cfg)(sign({ sub: 'auth-user', lines: ['010-1234-5678'] })).userId, 'auth-user');
  assert.throws(
    () => tokenVerifier(cfg)(issueToken(cfg, { userId: 'x', lines: ['010-1234-5678'] })),
    'an HS256 token is not accepted under RS256',
  );
  assert.throws(() => tokenVerifier(cfg)(sign({ sub: 'no-lines' })), 'lines are required');
});

test('column cipher: AES-256-GCM with the key id inside, bound to its column, readable after rotation', async () => {
  const cfg = await testConfig();
  const ring = new Keyring(new SecretStore(cfg.dataDir));
  const cipher = new ColumnCipher(ring);
  const v1 = cipher.encrypt('customer_info.customer_name', '홍길동');
  assert.ok(!v1.includes('홍길동'));
  assert.equal(ColumnCipher.keyId(v1), ring.current.id);
  assert.throws(() => cipher.decrypt('bill_info_json', v1), 'a value moved to another column does not decrypt');
  const tampered = v1.slice(0, -2) + (v1.endsWith('A') ? 'BB' : 'AA');
  assert.throws(() => cipher.decrypt('customer_info.customer_name', tampered), 'tampering is detected');
  const newId = ring.add();
  const v2 = cipher.encrypt('customer_info.customer_name', '홍길동');
  assert.equal(ColumnCipher.keyId(v2), newId);
  assert.equal(cipher.decrypt('customer_info.customer_name', v1), '홍길동', 'old values stay readable');
  assert.equal(
    new ColumnCipher(new Keyring(new SecretStore(cfg.dataDir))).decrypt('customer_info.customer_name', v2),
    '홍길동',
    'keys persist in the data dir',
  );
});

test('log scrubbing masks line numbers in error messages', () => {
  assert.equal(
    safeError(new Error('duplicate key (line_number)=(010-1234-5678) and 01099998888')),
    'duplicate key (line_number)=(010-****-5678) and 010-****-8888',
  );
});
