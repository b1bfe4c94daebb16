import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceRuntime } from '../runtime.js';
import { bearerAuth } from '../http/auth.js';
import { ok } from '../http/envelope.js';
import { billMenu } from '../bills/menu.js';
import {
  ErrorEnvelope,
  HistoryPage,
  HistoryQuery,
  InquiryBody,
  InquiryResult,
  Menu,
  RequestDetail,
  RequestParams,
  envelope,
} from './schemas.js';

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 503: ErrorEnvelope };
const security = [{ bearer: [] }];

/** The bill API of SPEC.md under /bills, all behind Bearer auth. */
export const billRoutes: FastifyPluginAsyncTypebox<{ runtime: ServiceRuntime }> = async (app, { runtime: rt }) => {
  app.addHook('onRequest', bearerAuth(rt.verify));

  app.get(
    '/bills/menu',
    {
      schema: {
        summary: "The caller's lines and the months that can be queried",
        security,
        response: { 200: envelope(Menu), ...errors },
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
    '/bills/inquiry',
    {
      schema: {
        summary: 'Bill of one line and month (cache-aside, then KOS)',
        security,
        body: InquiryBody,
        response: {
          200: envelope(InquiryResult),
          202: envelope(InquiryResult),
          ...errors,
          502: ErrorEnvelope,
          504: ErrorEnvelope,
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
    '/bills/inquiry/:requestId',
    {
      schema: {
        summary: 'Status and result of one inquiry',
        security,
        params: RequestParams,
        response: { 200: envelope(RequestDetail), ...errors },
      },
    },
    async (req) => ok(await rt.historyQuery.request(req.principal, req.params.requestId)),
  );

  app.get(
    '/bills/history',
    {
      schema: {
        summary: "The caller's inquiry history, newest first",
        security,
        querystring: HistoryQuery,
        response: { 200: envelope(HistoryPage), ...errors },
      },
    },
    async (req) => ok(await rt.historyQuery.page(req.principal, req.query)),
  );
};
