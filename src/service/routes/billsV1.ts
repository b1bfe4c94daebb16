import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceRuntime } from '../runtime.js';
import { bearerAuth } from '../http/auth.js';
import { allowBrowsers } from '../http/cors.js';
import { installErrorHandling } from '../http/errorHandler.js';
import { v1ErrorBody, v1Ok } from '../http/v1Envelope.js';
import { billMenu } from '../bills/menu.js';
import { lineDigits } from '../bills/lineNumber.js';
import { kosMonth } from '../bills/months.js';
import { v1BillInfo, v1Customer } from '../bills/v1Bill.js';
import { v1Line, v1Month } from '../bills/v1Input.js';
import type { CustomerInfo } from '../../kos/protocol.js';
import {
  V1ErrorEnvelope,
  V1HistoryPage,
  V1HistoryQuery,
  V1InquiryBody,
  V1InquiryEnvelope,
  V1Menu,
  v1Envelope,
} from './schemasV1.js';

const security = [{ bearer: [] }];
const tags = ['/api/v1/bills (phonebill running code)'];
const errors = Object.fromEntries([400, 401, 403, 404, 409, 500, 502, 503, 504].map((s) => [s, V1ErrorEnvelope]));

/**
 * The API of phonebill's running code (the bill service at its HEAD, which phonebill's
 * React frontend and ingress speak), registered under the prefix /api/v1/bills: the same
 * service core as /bills (cache, KOS client, breaker, history rows, authorization), its
 * own shapes and envelopes (docs/service.md "Two API generations").
 */
export const billRoutesV1: FastifyPluginAsyncTypebox<{ runtime: ServiceRuntime }> = async (app, { runtime: rt }) => {
  // CORS first: a preflight is answered before authentication, and errors carry the headers.
  await allowBrowsers(app, rt.cfg.service.cors);
  installErrorHandling(app, rt.log, v1ErrorBody);
  app.addHook('onRequest', bearerAuth(rt.verify));

  app.get(
    '/menu',
    {
      schema: {
        summary: "The caller's line and the months that can be queried (running code's shape)",
        tags,
        security,
        response: { 200: v1Envelope(V1Menu), ...errors },
      },
    },
    async (req) => {
      const m = await billMenu(req.principal, {
        customers: rt.customers,
        kos: rt.kos,
        timeZone: rt.cfg.database.timezone,
        customerTtlMs: rt.live.settings.customerCacheTtlMs,
        months: rt.live.settings.availableMonths,
      });
      return v1Ok(
        { customerInfo: m.customerInfo, availableMonths: m.availableMonths, currentMonth: m.currentMonth },
        '요금조회 메뉴를 조회했습니다',
      );
    },
  );

  app.post(
    '/inquiry',
    {
      schema: {
        summary: 'Bill of one line and month, synchronously (cache, then KOS within service.apiV1.inquiryDeadlineMs)',
        tags,
        security,
        body: V1InquiryBody,
        response: { 200: V1InquiryEnvelope, ...errors },
      },
    },
    async (req) => {
      const line = v1Line(req.body.lineNumber);
      const month = rt.inquiries.check(req.principal, line, v1Month(req.body.inquiryMonth));
      const { requestId, billInfo } = await rt.inquiries.inquireNow(
        req.principal,
        line,
        month,
        rt.cfg.service.apiV1.inquiryDeadlineMs,
      );
      // The design's KOS sends no customer with the bill: the customer cache (or KOS's customer lookup).
      const cached = billInfo.detail?.customer ? undefined : await cachedCustomer(rt, line, month);
      return {
        success: true as const,
        resultCode: '0000',
        resultMessage: '요금 조회가 완료되었습니다',
        data: {
          requestId,
          procStatus: 'COMPLETED' as const,
          resultCode: '0000',
          resultMessage: '정상 처리되었습니다',
          billInfo: v1BillInfo(billInfo, line),
          customerInfo: v1Customer(billInfo, cached, req.principal.customerId),
        },
        timestamp: new Date().toISOString(),
        traceId: null,
      };
    },
  );

  app.get(
    '/history',
    {
      schema: {
        summary: "The caller's inquiry history, newest first (running code's shape: 11-digit lines, YYYYMM months)",
        tags,
        security,
        querystring: V1HistoryQuery,
        response: { 200: v1Envelope(V1HistoryPage), ...errors },
      },
    },
    async (req) => {
      const { lineNumber, page, size, ...rest } = req.query;
      const p = await rt.historyQuery.page(req.principal, {
        ...rest,
        ...(lineNumber ? { lineNumber: v1Line(lineNumber) } : {}),
        page: page ?? 1,
        size: size ?? 20,
      });
      return v1Ok(
        {
          items: p.items.map((i) => ({
            ...i,
            lineNumber: lineDigits(i.lineNumber),
            inquiryMonth: kosMonth(i.inquiryMonth),
          })),
          pagination: p.pagination,
        },
        '요금조회 이력을 조회했습니다',
      );
    },
  );
};

/** The line's customer for the answer, never failing it: a failed lookup is just no customer. */
async function cachedCustomer(rt: ServiceRuntime, line: string, month: string): Promise<CustomerInfo | undefined> {
  try {
    return await rt.customers.get(line, rt.live.settings.customerCacheTtlMs, async () => {
      const r = await rt.kos.customerInfo(lineDigits(line), kosMonth(month));
      return r.customer;
    });
  } catch {
    return undefined;
  }
}
