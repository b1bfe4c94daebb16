import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { ServiceRuntime } from './runtime.js';
import { installErrorHandling } from './http/errorHandler.js';
import { billRoutes } from './routes/bills.js';
import { billRoutesV1 } from './routes/billsV1.js';
import { healthRoutes } from './routes/health.js';

/** The Fastify app: schemas, envelope errors, OpenAPI at /docs, the bill routes, plus any extra plugins (monitoring). */
export async function buildApp(
  rt: ServiceRuntime,
  extraPlugins: FastifyPluginAsync<{ runtime: ServiceRuntime }>[] = [],
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    // The hot path logs nothing per request; errors are logged by the error handler, masked.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: rt.cfg.service.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandling(app, rt.log);
  // Callback style, no promise per request; emits only when someone (monitoring) listens.
  app.addHook('onResponse', (req, reply, done) => {
    if (rt.events.listenerCount('request') > 0) {
      rt.events.emit('request', {
        method: req.method,
        route: req.routeOptions.url ?? 'unknown',
        statusCode: reply.statusCode,
        durationMs: reply.elapsedTime,
      });
    }
    done();
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Bill-Inquiry API',
        version: '1.0.0',
        description:
          'Phone-bill inquiry in two API generations over one service core: /bills, phonebill\'s design (SPEC.md "The service API"; 202 PROCESSING + polling), and /api/v1/bills, the API of phonebill\'s running code that its React frontend speaks (synchronous, KOS envelope, YYYYMM months). See docs/service.md "Two API generations".',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(healthRoutes, { runtime: rt });
  // Two API generations over one service core (docs/service.md "Two API generations"), each in its
  // own prefixed context: its hooks, CORS, error envelope and 404s stay under its prefix.
  await app.register(billRoutes, { runtime: rt, prefix: '/bills' });
  await app.register(billRoutesV1, { runtime: rt, prefix: '/api/v1/bills' });
  for (const plugin of extraPlugins) await app.register(plugin, { runtime: rt });
  return app;
}
