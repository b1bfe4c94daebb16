import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceRuntime } from '../runtime.js';
import { bearerAuth } from '../http/auth.js';
import { allowBrowsers } from '../http/cors.js';
import { ok } from '../http/envelope.js';
import { billMenu } from '../bills/menu.js';
import { API_ERRORS, type ApiErrorCode } from '../apiErrors.js';
import {
  ErrorEnvelope,
  HistoryPage,
  HistoryQuery,
  InquiryAccepted,
  InquiryBody,
  InquiryResult,
  Menu,
  RequestEnvelope,
  RequestParams,
  envelope,
} from './schemas.js';

const security = [{ bearer: [] }];

/** The error answers of a route, by status, each naming its codes (from the one table, src/service/apiErrors.ts). */
function errors(...codes: ApiErrorCode[]): Record<number, typeof ErrorEnvelope> {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const c of ['UNAUTHORIZED', 'INTERNAL_SERVER_ERROR', ...codes] as ApiErrorCode[])
    byStatus.set(API_ERRORS[c][0], [...(byStatus.get(API_ERRORS[c][0]) ?? []), c]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [status, { ...ErrorEnvelope, description: list.join(', ') }]),
  );
}

const MESSAGES = {
  COMPLETED: 'bill inquiry completed',
  PROCESSING: 'bill inquiry is processing',
  FAILED: 'bill inquiry failed',
} as const;

/** The bill API of SPEC.md (phonebill's design), registered under the prefix /bills, all behind Bearer auth. */
export const billRoutes: FastifyPluginAsyncTypebox<{ runtime: ServiceRuntime }> = async (app, { runtime: rt }) => {
  // CORS first: a preflight is answered before authentication, and errors carry the headers.
  await allowBrowsers(app, rt.cfg.service.cors);
  app.addHook('onRequest', bearerAuth(rt.verify));

  app.get(
    '/menu',
    {
      schema: {
        summary: "The caller's lines and the months that can be queried",
        security,
        response: { 200: envelope(Menu), ...errors('FORBIDDEN', 'NOT_FOUND', 'SERVICE_UNAVAILABLE') },
      },
    },
    async (req) =>
      ok(
        await billMenu(req.principal, {
          customers: rt.customers,
          kos: rt.kos,
          timeZone: rt.cfg.database.timezone,
          customerTtlMs: rt.live.settings.customerCacheTtlMs,
          months: rt.live.settings.availableMonths,
        }),
      ),
  );

  app.post(
    '/inquiry',
    {
      schema: {
        summary: 'Bill of one line and month (cache-aside, then KOS)',
        security,
        body: InquiryBody,
        response: {
          200: envelope(InquiryResult),
          202: envelope(InquiryAccepted),
          ...errors(
            'VALIDATION_ERROR',
            'MALFORMED_JSON',
            'MONTH_OUT_OF_RANGE',
            'FORBIDDEN',
            'LINE_NOT_FOUND',
            'BILL_NOT_FOUND',
            'LINE_INACTIVE',
            'PAYLOAD_TOO_LARGE',
            'UNSUPPORTED_MEDIA_TYPE',
            'KOS_ERROR',
            'SERVICE_UNAVAILABLE',
            'KOS_TIMEOUT',
          ),
        },
      },
    },
    async (req, reply) => {
      const month = rt.inquiries.check(req.principal, req.body.lineNumber, req.body.inquiryMonth);
      const answer = await rt.inquiries.inquire(req.principal, req.body.lineNumber, month);
      return reply
        .code(answer.status)
        .send(
          ok(
            answer.data,
            answer.status === 200
              ? 'bill inquiry completed'
              : 'bill inquiry is processing; poll GET /bills/inquiry/{requestId}',
          ),
        );
    },
  );

  app.get(
    '/inquiry/:requestId',
    {
      schema: {
        summary: 'Status and result of one inquiry',
        security,
        params: RequestParams,
        response: { 200: RequestEnvelope, ...errors('NOT_FOUND', 'SERVICE_UNAVAILABLE') },
      },
    },
    async (req) => {
      const r = await rt.historyQuery.request(req.principal, req.params.requestId);
      // The design's FAILED example: HTTP 200, success false, the request's data with its errorMessage.
      return { success: r.status !== 'FAILED', data: r, message: MESSAGES[r.status] };
    },
  );

  app.get(
    '/history',
    {
      schema: {
        summary: "The caller's inquiry history, newest first",
        security,
        querystring: HistoryQuery,
        response: {
          200: envelope(HistoryPage),
          ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'SERVICE_UNAVAILABLE'),
        },
      },
    },
    // The defaults are filled in by validation already; `??` only satisfies the type.
    async (req) =>
      ok(
        await rt.historyQuery.page(req.principal, {
          ...req.query,
          page: req.query.page ?? 1,
          size: req.query.size ?? 20,
        }),
      ),
  );
};
