import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { ServiceConfig } from '../../config/sections/service.js';

/**
 * CORS for the bill routes of one route module (call it in that module's context, before
 * its authentication hook): @fastify/cors answers a preflight from an allowed origin in its
 * onRequest hook, before authentication, and sets the headers on every other answer of that
 * origin — 401, 403 and 503 included, or the browser would hide their message. An origin not
 * in `service.cors.allowedOrigins` (or a request without one) gets no CORS header at all.
 * Registered inside a prefixed module, its catch-all OPTIONS route stays under that prefix:
 * /ops, /metrics and /docs never answer CORS.
 */
export async function allowBrowsers(app: FastifyInstance, cors: Readonly<ServiceConfig['cors']>): Promise<void> {
  if (cors.allowedOrigins.length === 0) return;
  const any = cors.allowedOrigins.includes('*');
  const allowed = new Set(cors.allowedOrigins);
  await app.register(fastifyCors, {
    // false: no CORS for this request (no headers; a preflight falls through to authentication, 401).
    origin: (origin, cb) => cb(null, !origin ? false : allowed.has(origin) ? origin : any ? '*' : false),
    credentials: cors.credentials,
    methods: ['GET', 'POST'],
    // Preflights cached by the browser for 10 min: one per page load instead of one per call.
    maxAge: 600,
  });
}
