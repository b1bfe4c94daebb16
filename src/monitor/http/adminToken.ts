import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/schema.js';
import { SecretStore } from '../../system/secrets.js';

/** Secret-store name of the dashboard's admin token (env BILL_INQUIRY_SECRET_OPS_ADMIN_TOKEN). */
export const OPS_TOKEN_SECRET = 'ops-admin-token';
export const OPS_COOKIE = 'bi_ops';

export const opsAdminToken = (cfg: Readonly<Config>): string => new SecretStore(cfg.dataDir).get(OPS_TOKEN_SECRET);

/** Token presented as `Authorization: Bearer …`, the dashboard cookie, or `?token=` (first visit). */
export function presentedToken(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const cookie = (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim().split('='))
    .find(([k]) => k === OPS_COOKIE);
  if (cookie?.[1]) return decodeURIComponent(cookie[1]);
  return (req.query as Record<string, string | undefined> | undefined)?.token;
}

/** Constant-time comparison (digests first, so lengths do not leak). */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const d = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(d(given), d(expected));
}

export async function denied(reply: FastifyReply): Promise<FastifyReply> {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="bill-inquiry ops"')
    .send({
      error: {
        code: 'OPS_UNAUTHORIZED',
        message: 'the operations dashboard needs the admin token',
        hint: 'open /ops?token=<token from `bill-inquiry monitor token`> or send Authorization: Bearer <token>',
      },
    });
}
