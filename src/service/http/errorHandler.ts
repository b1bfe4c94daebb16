import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { apiStatus, type ApiErrorCode } from '../apiErrors.js';
import { ApiError, type FieldProblem } from '../errors.js';
import { isConnectionError } from '../db/pools.js';
import { errorBody } from './envelope.js';
import { safeError } from '../logSafe.js';

/** Fastify's own client errors, mapped to stable codes. */
const FASTIFY_CODES: Record<string, [ApiErrorCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['PAYLOAD_TOO_LARGE', 'request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['MALFORMED_JSON', 'the JSON body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['MALFORMED_JSON', 'the body is not valid JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['BAD_REQUEST', 'content-length does not match the body'],
};

/** Renders an error answer's body: the design's envelope (errorBody) or another API generation's. */
export type ErrorRenderer = (code: ApiErrorCode, message: string, detail?: string, fields?: FieldProblem[]) => object;

/**
 * Every error, 404 included, leaves in the envelope `render` writes (the design's by
 * default); unexpected ones are logged without personal data. Called again in a route
 * module's own context, it gives that module's routes (and 404s under its prefix) its envelope.
 */
export function installErrorHandling(app: FastifyInstance, log: Logger, render: ErrorRenderer = errorBody): void {
  const send = (reply: FastifyReply, code: ApiErrorCode, message: string, detail?: string, fields?: FieldProblem[]) =>
    reply.code(apiStatus(code)).send(render(code, message, detail, fields));

  app.setNotFoundHandler((req, reply) => {
    void send(reply, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof ApiError) {
      // The client gets the stable message; what actually failed is for the operator.
      if (err.cause !== undefined)
        log.warn(
          { reqId: req.id, route: req.routeOptions.url, code: err.code, err: safeError(err.cause) },
          err.message,
        );
      return send(reply, err.code, err.message, err.detail);
    }
    if (err.validation) {
      const fields = err.validation.map((v) => ({
        field:
          `${err.validationContext ?? ''}${v.instancePath}`.replace(/\//g, '.') ||
          (v.params as { missingProperty?: string }).missingProperty ||
          (err.validationContext ?? 'request'),
        problem: v.message ?? 'is invalid',
      }));
      return send(
        reply,
        'VALIDATION_ERROR',
        'the request is invalid',
        fields.map((f) => `${f.field}: ${f.problem}`).join('; '),
        fields,
      );
    }
    const known = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (known) return send(reply, known[0], known[1]);
    if (err instanceof SyntaxError) return send(reply, 'MALFORMED_JSON', 'the body is not valid JSON');
    if (isConnectionError(err)) {
      log.warn({ route: req.routeOptions.url, err: safeError(err) }, 'database unavailable');
      return send(reply, 'SERVICE_UNAVAILABLE', 'the database is unavailable; try again shortly');
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500)
      return send(reply, 'BAD_REQUEST', err.message);
    // No request body or params in the log: they carry line numbers and names.
    log.error(
      { route: req.routeOptions.url, method: req.method, code: err.code, err: safeError(err) },
      'unexpected error',
    );
    return send(reply, 'INTERNAL_SERVER_ERROR', 'internal error', 'try again later');
  });
}
