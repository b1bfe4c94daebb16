import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/tokens.js';
import { ApiError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/**
 * onRequest hook of the bill routes: Bearer JWT → request.principal, else 401 UNAUTHORIZED
 * (before the body is even parsed), in the envelope of the route module's error handler.
 */
export function bearerAuth(verify: (token: string) => Principal) {
  return async (req: FastifyRequest): Promise<void> => {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw new ApiError('UNAUTHORIZED', 'missing Bearer token');
    try {
      req.principal = verify(header.slice(7).trim());
    } catch {
      throw new ApiError('UNAUTHORIZED', 'invalid or expired token');
    }
  };
}
