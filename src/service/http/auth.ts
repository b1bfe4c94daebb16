import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/tokens.js';
import { errorBody } from './envelope.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/** onRequest hook for /bills/*: Bearer JWT → request.principal, else 401 (before the body is even parsed). */
export function bearerAuth(verify: (token: string) => Principal) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) {
      return reply.code(401).send(errorBody('UNAUTHORIZED', 'missing Bearer token'));
    }
    try {
      req.principal = verify(header.slice(7).trim());
    } catch {
      return reply.code(401).send(errorBody('UNAUTHORIZED', 'invalid or expired token'));
    }
  };
}
