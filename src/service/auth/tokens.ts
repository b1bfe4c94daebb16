import { readFileSync } from 'node:fs';
import { createSigner, createVerifier } from 'fast-jwt';
import { LRUCache } from 'lru-cache';
import type { Config } from '../../config/schema.js';
import { BillInquiryError } from '../../errors.js';
import { SecretStore } from '../../system/secrets.js';
import { normalizeLine } from '../bills/lineNumber.js';

export interface Principal {
  userId: string;
  /** Lines the user may see, as 010-NNNN-NNNN. */
  lines: string[];
}

const hsSecret = (cfg: Readonly<Config>): string => new SecretStore(cfg.dataDir).get(cfg.service.jwt.secretName);

/** A development token signed with this data dir's HS256 secret (`bill-inquiry token`). */
export function issueToken(cfg: Readonly<Config>, p: { userId: string; lines: string[]; ttlSeconds?: number }): string {
  const { jwt } = cfg.service;
  const lines = p.lines.map((l) => {
    const n = normalizeLine(l);
    if (!n)
      throw new BillInquiryError('LINE_INVALID', `"${l}" is not a phone line number`, 'use the form 010-1234-5678');
    return n;
  });
  if (!p.userId.trim()) throw new BillInquiryError('USER_INVALID', 'the user id is empty', 'pass --user <id>');
  const sign = createSigner({
    key: hsSecret(cfg),
    algorithm: 'HS256',
    iss: jwt.issuer,
    aud: jwt.audience,
    expiresIn: (p.ttlSeconds ?? jwt.ttlSeconds) * 1000,
  });
  return sign({ sub: p.userId, lines });
}

/** Verifies Bearer tokens by config: HS256 with the data dir's secret, or RS256 with the Auth service's public key. */
export function tokenVerifier(cfg: Readonly<Config>): (token: string) => Principal {
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
  // Verified tokens by their exact text until they expire: a repeat caller costs one map lookup, no hashing.
  const verified =
    jwt.cacheSize > 0
      ? new LRUCache<string, { principal: Principal; validUntil: number }>({ max: jwt.cacheSize })
      : undefined;
  return (token) => {
    const hit = verified?.get(token);
    if (hit && Date.now() < hit.validUntil) return hit.principal;
    const claims = verify(token) as { sub?: unknown; lines?: unknown; exp: number };
    if (
      typeof claims.sub !== 'string' ||
      !Array.isArray(claims.lines) ||
      !claims.lines.every((l) => typeof l === 'string')
    ) {
      throw new Error('token lacks sub or lines');
    }
    const principal = {
      userId: claims.sub,
      lines: claims.lines.map((l) => normalizeLine(l)).filter((l): l is string => !!l),
    };
    verified?.set(token, { principal, validUntil: claims.exp * 1000 + jwt.clockToleranceSeconds * 1000 });
    return principal;
  };
}
