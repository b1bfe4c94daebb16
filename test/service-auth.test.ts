import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createSigner } from 'fast-jwt';
import { issueToken, phonebillKey, tokenVerifier } from '../src/service/auth/tokens.js';
import { ColumnCipher } from '../src/service/crypto/columnCipher.js';
import { Keyring } from '../src/service/crypto/keyring.js';
import { safeError } from '../src/service/logSafe.js';
import { SecretStore } from '../src/system/secrets.js';
import { cli } from './helpers/cli.js';
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

/** A token as phonebill's JwtService (jjwt) makes it: HS512 over the UTF-8 bytes of JWT_SECRET — signed here without fast-jwt. */
function phonebillToken(secret: string, claims: Record<string, unknown>, alg = 'HS512'): string {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg })}.${b64({ iss: 'phonebill-auth-service', iat: now, exp: now + 1800, ...claims })}`;
  const hmac = createHmac(alg === 'HS512' ? 'sha512' : 'sha256', Buffer.from(secret, 'utf8'));
  return `${input}.${hmac.update(input).digest('base64url')}`;
}

const SECRET = 'phonebill-shared-secret-of-the-auth-service-and-the-gateway-0123456789-abcdefghij';

test('phonebill Auth access tokens (HS512, JWT_SECRET as UTF-8 bytes) verify; refresh and foreign tokens do not', async () => {
  const cfg = await testConfig();
  new SecretStore(cfg.dataDir).put(cfg.service.jwt.phonebill.secretName, SECRET);
  const verify = tokenVerifier(cfg);
  const access = { sub: 'testuser01', userId: 'testuser01', customerId: 'CUST001', type: 'ACCESS' };
  assert.deepEqual(verify(phonebillToken(SECRET, { ...access, lineNumber: '01012345678' })), {
    userId: 'testuser01',
    lines: ['010-1234-5678'],
    customerId: 'CUST001',
  });
  assert.deepEqual(verify(phonebillToken(SECRET, { ...access, lineNumber: '010-8765-4321' })).lines, ['010-8765-4321']);
  const refused = {
    'a refresh token': phonebillToken(SECRET, { sub: 'testuser01', userId: 'testuser01', type: 'REFRESH' }),
    'no type': phonebillToken(SECRET, { sub: 'u', lineNumber: '01012345678' }),
    'no line': phonebillToken(SECRET, { ...access }),
    'HS256 with the same secret': phonebillToken(SECRET, { ...access, lineNumber: '01012345678' }, 'HS256'),
    'another secret': phonebillToken(`${SECRET}x`, { ...access, lineNumber: '01012345678' }),
    expired: phonebillToken(SECRET, { ...access, lineNumber: '01012345678', exp: Math.floor(Date.now() / 1000) - 600 }),
  };
  for (const [what, token] of Object.entries(refused)) assert.throws(() => verify(token), what);
  // Our own tokens keep working next to them.
  assert.equal(verify(issueToken(cfg, { userId: 'own', lines: ['010-1111-2222'] })).userId, 'own');
  const off = await testConfig({ dataDir: cfg.dataDir, service: { jwt: { phonebill: { enabled: false } } } });
  assert.throws(() => tokenVerifier(off)(phonebillToken(SECRET, { ...access, lineNumber: '01012345678' })));
});

test('phonebill key: JWT_SECRET from the environment first; shorter than 64 bytes is refused', async () => {
  const cfg = await testConfig();
  const env = { JWT_SECRET: SECRET };
  assert.equal(phonebillKey(cfg, env), SECRET);
  const generated = phonebillKey(cfg, {});
  assert.ok(Buffer.byteLength(generated) >= 64, 'a generated key is long enough for HS512');
  assert.equal(phonebillKey(cfg, {}), generated, 'and kept in the secret store');
  assert.throws(
    () => phonebillKey(cfg, { JWT_SECRET: 'short-secret' }),
    /JWT_SECRET.*12 bytes; HS512 needs at least 64/,
  );
});

test('token --format phonebill issues the phonebill shape, which the verifier accepts', async () => {
  const cfg = await testConfig();
  const r = await cli([
    '--data-dir',
    cfg.dataDir,
    'token',
    '--format',
    'phonebill',
    '--user',
    'testuser01',
    '--customer',
    'CUST001',
    '--line',
    '010-1234-5678',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const token = r.stdout.trim().split('\n').at(-1)!;
  const [header, payload] = token
    .split('.')
    .slice(0, 2)
    .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
  assert.equal(header!.alg, 'HS512');
  assert.deepEqual(
    { ...payload, iat: 0, exp: 0 },
    {
      sub: 'testuser01',
      userId: 'testuser01',
      customerId: 'CUST001',
      lineNumber: '01012345678',
      type: 'ACCESS',
      iss: 'phonebill-auth-service',
      iat: 0,
      exp: 0,
    },
  );
  assert.equal((payload!.exp as number) - (payload!.iat as number), 1800, 'phonebill access tokens live 30 min');
  assert.deepEqual(tokenVerifier(cfg)(token), {
    userId: 'testuser01',
    lines: ['010-1234-5678'],
    customerId: 'CUST001',
  });
  const two = await cli([
    '--data-dir',
    cfg.dataDir,
    'token',
    '--format',
    'phonebill',
    '--user',
    'u',
    '--line',
    '01011112222',
    '--line',
    '01033334444',
  ]);
  assert.notEqual(two.code, 0);
  assert.match(two.stderr, /exactly one line/);
  const noCustomer = await cli([
    '--data-dir',
    cfg.dataDir,
    'token',
    '--format',
    'phonebill',
    '--user',
    'u',
    '--line',
    '01011112222',
  ]);
  assert.notEqual(noCustomer.code, 0, 'phonebill Auth always sets customerId: a token without one is refused');
  assert.match(noCustomer.stderr, /names its customer.*\n?.*--customer/s);
  assert.equal(noCustomer.stdout.trim(), '', 'no token printed');
});
