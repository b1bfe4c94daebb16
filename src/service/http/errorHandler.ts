import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ApiError } from '../errors.js';
import { isConnectionError } from '../db/pools.js';
import { errorBody } from './envelope.js';
import { safeError } from '../logSafe.js';

/** Fastify's own client errors, mapped to stable codes. */
const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'MALFORMED_JSON', 'the JSON body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'MALFORMED_JSON', 'the body is not valid JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_REQUEST', 'content-length does not match the body'],
};

/** Every error, 404 included, leaves in the envelope; unexpected ones are logged without personal data. */
export function installErrorHandling(app: FastifyInstance, log: Logger): void {
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof ApiError) {
      // The client gets the stable message; what actually failed is for the operator.
      if (err.cause !== undefined)
        log.warn(
          { reqId: req.id, route: req.routeOptions.url, code: err.code, err: safeError(err.cause) },
          err.message,
        );
      return reply.code(err.status).send(errorBody(err.code, err.message, err.detail));
    }
    if (err.validation) {
      const detail = err.validation.map((v) => ({
        field:
          `${err.validationContext ?? ''}${v.instancePath}`.replace(/\//g, '.') ||
          (v.params as { missingProperty?: string }).missingProperty,
        problem: v.message,
      }));
      return reply.code(400).send(errorBody('VALIDATION_ERROR', 'the request is invalid', detail));
    }
    const known = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (known) return reply.code(known[0]).send(errorBody(known[1], known[2]));
    if (err instanceof SyntaxError)
      return reply.code(400).send(errorBody('MALFORMED_JSON', 'the body is not valid JSON'));
    if (isConnectionError(err)) {
      log.warn({ route: req.routeOptions.url, err: safeError(err) }, 'database unavailable');
      return reply.code(503).send(errorBody('SERVICE_UNAVAILABLE', 'the database is unavailable; try again shortly'));
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody('BAD_REQUEST', err.message));
    }
    // No request body or params in the log: they carry line numbers and names.
    log.error(
      { route: req.routeOptions.url, method: req.method, code: err.code, err: safeError(err) },
      'unexpected error',
    );
    return reply.code(500).send(errorBody('INTERNAL_ERROR', 'internal error'));
  });
}
