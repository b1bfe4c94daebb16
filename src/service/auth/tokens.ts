import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createDecoder, createSigner, createVerifier } from 'fast-jwt';
import { LRUCache } from 'lru-cache';
import type { Config } from '../../config/schema.js';
import { BillInquiryError } from '../../errors.js';
import { SecretStore } from '../../system/secrets.js';
import { normalizeLine } from '../bills/lineNumber.js';

export interface Principal {
  userId: string;
  /** Lines the user may see, as 010-NNNN-NNNN. */
  lines: string[];
  /** The customer the token names (phonebill Auth tokens carry it); absent in our own tokens. */
  customerId?: string;
}

/** `bill-inquiry`: our own tokens (`sub`, `lines[]`); `phonebill`: the phonebill Auth service's access tokens. */
export type TokenFormat = 'bill-inquiry' | 'phonebill';

/** HS512 wants a key of at least 512 bits; jjwt, phonebill's signer, refuses a shorter one, and so do we. */
const HS512_MIN_BYTES = 64;

const hsSecret = (cfg: Readonly<Config>): string => new SecretStore(cfg.dataDir).get(cfg.service.jwt.secretName);

/**
 * The phonebill HS512 key: phonebill's `JWT_SECRET` from the environment
 * (production), else the data dir's secret store (generated on first use, so
 * `serve` and `token --format phonebill` agree out of the box). Used as its
 * UTF-8 bytes, exactly as phonebill's JwtService does — never base64-decoded.
 */
export function phonebillKey(cfg: Readonly<Config>, env: NodeJS.ProcessEnv = process.env): string {
  const pb = cfg.service.jwt.phonebill;
  const fromEnv = env[pb.secretEnv];
  const key =
    fromEnv || new SecretStore(cfg.dataDir, env).get(pb.secretName, () => randomBytes(64).toString('base64url'));
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes < HS512_MIN_BYTES) {
    const source = fromEnv ? `$${pb.secretEnv}` : `secret ${pb.secretName}`;
    throw new BillInquiryError(
      'JWT_KEY_WEAK',
      `the phonebill token key (${source}) is ${bytes} bytes; HS512 needs at least ${HS512_MIN_BYTES}`,
      `set ${pb.secretEnv} to the JWT_SECRET the phonebill Auth service signs with (phonebill refuses shorter keys too)`,
    );
  }
  return key;
}

/** A token for local use (`bill-inquiry token`): our format (HS256, `lines[]`) or the phonebill Auth service's (HS512). */
export function issueToken(
  cfg: Readonly<Config>,
  p: { userId: string; lines: string[]; customerId?: string; ttlSeconds?: number; format?: TokenFormat },
): string {
  const { jwt } = cfg.service;
  const lines = p.lines.map((l) => {
    const n = normalizeLine(l);
    if (!n)
      throw new BillInquiryError('LINE_INVALID', `"${l}" is not a phone line number`, 'use the form 010-1234-5678');
    return n;
  });
  if (!p.userId.trim()) throw new BillInquiryError('USER_INVALID', 'the user id is empty', 'pass --user <id>');
  if (p.format === 'phonebill') {
    if (lines.length !== 1)
      throw new BillInquiryError(
        'USAGE',
        `a phonebill token names exactly one line, got ${lines.length}`,
        'pass --line once (the phonebill Auth service keeps one line per user)',
      );
    // phonebill's Auth always sets customerId, and the menu shows it: a token without one is not phonebill's shape.
    if (!p.customerId?.trim())
      throw new BillInquiryError(
        'USAGE',
        'a phonebill token names its customer (phonebill Auth always sets customerId)',
        'pass --customer <id>, e.g. --customer CUST001',
      );
    const sign = createSigner({
      key: phonebillKey(cfg),
      algorithm: 'HS512',
      iss: jwt.phonebill.issuer,
      sub: p.userId,
      expiresIn: (p.ttlSeconds ?? jwt.phonebill.ttlSeconds) * 1000,
    });
    // The claims of phonebill's JwtService.generateAccessToken; its Auth DB keeps lines without dashes.
    return sign({
      userId: p.userId,
      customerId: p.customerId,
      lineNumber: lines[0]!.replace(/-/g, ''),
      type: 'ACCESS',
    });
  }
  const sign = createSigner({
    key: hsSecret(cfg),
    algorithm: 'HS256',
    iss: jwt.issuer,
    aud: jwt.audience,
    expiresIn: (p.ttlSeconds ?? jwt.ttlSeconds) * 1000,
  });
  return sign({ sub: p.userId, lines, ...(p.customerId ? { customerId: p.customerId } : {}) });
}

type Claims = Record<string, unknown> & { exp: number };

/** Our own tokens: HS256 with the data dir's secret, or RS256 with the Auth service's public key; `sub` and `lines[]`. */
function ownFormat(cfg: Readonly<Config>): (token: string) => { principal: Principal; exp: number } {
  const { jwt } = cfg.service;
  const key =
    jwt.algorithm === 'HS256'
      ? hsSecret(cfg)
      : jwt.publicKeyFile
        ? readFileSync(jwt.publicKeyFile, 'utf8')
        : (() => {
            throw new BillInquiryError(
              'JWT_KEY_MISSING',
              'service.jwt.algorithm is RS256 but no publicKeyFile is configured',
              'set BILL_INQUIRY__SERVICE__JWT__PUBLIC_KEY_FILE',
            );
          })();
  const verify = createVerifier({
    key,
    algorithms: [jwt.algorithm],
    allowedIss: jwt.issuer,
    allowedAud: jwt.audience,
    clockTolerance: jwt.clockToleranceSeconds * 1000,
    requiredClaims: ['sub', 'exp'],
  });
  return (token) => {
    const claims = verify(token) as Claims;
    const { sub, lines, customerId } = claims;
    if (typeof sub !== 'string' || !Array.isArray(lines) || !lines.every((l) => typeof l === 'string'))
      throw new Error('token lacks sub or lines');
    return {
      principal: {
        userId: sub,
        lines: lines.map((l) => normalizeLine(l)).filter((l): l is string => !!l),
        ...(typeof customerId === 'string' ? { customerId } : {}),
      },
      exp: claims.exp,
    };
  };
}

/**
 * phonebill Auth access tokens (user-service JwtService.generateAccessToken):
 * HS512, `iss` phonebill-auth-service, `type` ACCESS (a REFRESH token is not a
 * credential for the API), one `lineNumber` with or without dashes.
 */
function phonebillFormat(cfg: Readonly<Config>): (token: string) => { principal: Principal; exp: number } {
  const { jwt } = cfg.service;
  const verify = createVerifier({
    key: phonebillKey(cfg),
    algorithms: ['HS512'],
    allowedIss: jwt.phonebill.issuer,
    clockTolerance: jwt.clockToleranceSeconds * 1000,
    requiredClaims: ['sub', 'exp', 'type'],
  });
  return (token) => {
    const claims = verify(token) as Claims;
    if (claims.type !== 'ACCESS') throw new Error(`a ${String(claims.type)} token is not an access token`);
    const userId = typeof claims.sub === 'string' ? claims.sub : undefined;
    const line = typeof claims.lineNumber === 'string' ? normalizeLine(claims.lineNumber) : undefined;
    if (!userId || !line) throw new Error('token lacks sub or lineNumber');
    const customerId = typeof claims.customerId === 'string' ? claims.customerId : undefined;
    return { principal: { userId, lines: [line], ...(customerId ? { customerId } : {}) }, exp: claims.exp };
  };
}

/**
 * Verifies Bearer tokens by config: our own format, plus phonebill Auth access
 * tokens when `service.jwt.phonebill.enabled`. A token goes to the format its
 * (unverified) `iss` names; that format then checks algorithm, key and issuer
 * itself, so the routing grants nothing.
 */
export function tokenVerifier(cfg: Readonly<Config>): (token: string) => Principal {
  const { jwt } = cfg.service;
  const own = ownFormat(cfg);
  const phonebill = jwt.phonebill.enabled ? phonebillFormat(cfg) : undefined;
  const issuerOf = createDecoder();
  // Verified tokens by their exact text until they expire: a repeat caller costs one map lookup, no hashing.
  const verified =
    jwt.cacheSize > 0
      ? new LRUCache<string, { principal: Principal; validUntil: number }>({ max: jwt.cacheSize })
      : undefined;
  return (token) => {
    const hit = verified?.get(token);
    if (hit && Date.now() < hit.validUntil) return hit.principal;
    const iss = (issuerOf(token) as { iss?: unknown }).iss;
    const { principal, exp } = phonebill && iss === jwt.phonebill.issuer ? phonebill(token) : own(token);
    verified?.set(token, { principal, validUntil: exp * 1000 + jwt.clockToleranceSeconds * 1000 });
    return principal;
  };
}
