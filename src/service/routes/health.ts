import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ServiceRuntime } from '../runtime.js';
import { errorBody, ok } from '../http/envelope.js';
import { PING } from '../db/sql/health.js';
import { ErrorEnvelope, Ready, envelope } from './schemas.js';

/**
 * Liveness (process answers), readiness (primary reachable; replica and
 * breaker reported) and, for load balancers, whether this instance takes
 * inquiries (`/accepting`).
 */
export const healthRoutes: FastifyPluginAsyncTypebox<{ runtime: ServiceRuntime }> = async (app, { runtime: rt }) => {
  app.get(
    '/health',
    { schema: { summary: 'Liveness', response: { 200: envelope(Type.Object({ status: Type.Literal('UP') })) } } },
    async () => ok({ status: 'UP' as const }),
  );

  // A load balancer's check (`lb config`): an instance leaves the pool when it drains for shutdown or
  // its history backlog is full — not when the shared database is down, which every instance shares
  // and during which each still answers inquiries from its cache, their history in its journal.
  app.get(
    '/accepting',
    {
      schema: {
        summary: 'This instance takes inquiries: not draining, history backlog not full (load balancer check)',
        response: { 200: envelope(Type.Object({ accepting: Type.Literal(true) })), 503: ErrorEnvelope },
      },
    },
    async (_req, reply) => {
      if (rt.draining)
        return reply.code(503).send(errorBody('DRAINING', 'this instance is shutting down; use another'));
      if (!rt.history.accepting)
        return reply
          .code(503)
          .send(errorBody('SERVICE_UNAVAILABLE', 'the history backlog of this instance is full; use another'));
      return ok({ accepting: true as const });
    },
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness: database primary, replica, KOS breaker; 503 while draining for shutdown',
        response: { 200: envelope(Ready), 503: ErrorEnvelope },
      },
    },
    async (_req, reply) => {
      let primary: { reachable: boolean; endpoint?: string; error?: string };
      try {
        await rt.primary.query(PING);
        const ep = rt.primary.where;
        primary = { reachable: true, ...(ep ? { endpoint: `${ep.host}:${ep.port}` } : {}) };
      } catch (e) {
        primary = { reachable: false, error: (e as Error).message };
      }
      await rt.reads.check();
      const h = rt.historyStats();
      const state = {
        ready: primary.reachable && !rt.draining,
        topology: rt.topology.kind,
        ...(rt.draining ? { draining: true } : {}),
        primary,
        replica: { state: rt.reads.state, lagMs: rt.reads.lagMs },
        breaker: rt.breakerState(),
        history: {
          queued: h.queued,
          failedFlushes: h.failedFlushes,
          deadLettered: h.deadLettered,
          ...(h.journal ? { journal: h.journal } : {}),
        },
      };
      if (rt.draining)
        return reply.code(503).send({
          ...errorBody('DRAINING', 'this instance is shutting down; use another'),
          data: state,
        });
      if (!state.ready)
        return reply.code(503).send({
          ...errorBody('NOT_READY', 'the database primary is not reachable', primary.error),
          data: state,
        });
      return ok(state);
    },
  );
};
