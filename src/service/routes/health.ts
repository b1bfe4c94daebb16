import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ServiceRuntime } from '../runtime.js';
import { errorBody, ok } from '../http/envelope.js';
import { PING } from '../db/sql/health.js';
import { ErrorEnvelope, Ready, envelope } from './schemas.js';

/** Spring Boot actuator's health body: `{"status":"UP"}` with 200, `{"status":"DOWN"}` with 503. */
const ActuatorStatus = Type.Object({ status: Type.Union([Type.Literal('UP'), Type.Literal('DOWN')]) });

/**
 * Why this instance takes no inquiries now (draining for shutdown, history
 * backlog full), or undefined when it does: /accepting and the actuator's readiness.
 */
function notAccepting(rt: ServiceRuntime): [code: 'DRAINING' | 'SERVICE_UNAVAILABLE', message: string] | undefined {
  if (rt.draining) return ['DRAINING', 'this instance is shutting down; use another'];
  if (!rt.history.accepting)
    return ['SERVICE_UNAVAILABLE', 'the history backlog of this instance is full; use another'];
  return undefined;
}

/**
 * Liveness (process answers), readiness (primary reachable; replica and
 * breaker reported) and, for load balancers, whether this instance takes
 * inquiries (`/accepting`); the same as Spring Boot actuator probes
 * (`/actuator/health{,/liveness,/readiness}`) for phonebill's manifests.
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
      const refusal = notAccepting(rt);
      if (refusal) return reply.code(503).send(errorBody(...refusal));
      return ok({ accepting: true as const });
    },
  );

  // Spring Boot actuator's probe paths, which phonebill's Kubernetes manifests use. Liveness is only
  // "the event loop turns": a database failover must never make Kubernetes restart every pod.
  // Readiness is /accepting's rule, not /ready's, which fails while the primary is unreachable and
  // would empty the Service during a failover. The listener opens only after start-up has finished,
  // so the startup probe (/actuator/health) is readiness once it answers at all.
  const probe = { 200: ActuatorStatus, 503: ActuatorStatus };
  app.get(
    '/actuator/health/liveness',
    { schema: { summary: 'Kubernetes liveness (actuator): the process and its event loop answer', response: probe } },
    async () => ({ status: 'UP' as const }),
  );
  for (const [url, summary] of [
    ['/actuator/health/readiness', 'Kubernetes readiness (actuator): the same rule as /accepting'],
    ['/actuator/health', 'Kubernetes startup probe (actuator): started, then the same rule as /accepting'],
  ] as const)
    app.get(url, { schema: { summary, response: probe } }, async (_req, reply) =>
      notAccepting(rt) ? reply.code(503).send({ status: 'DOWN' as const }) : { status: 'UP' as const },
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
