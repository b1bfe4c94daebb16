import type { FastifyInstance } from 'fastify';
import type { MockCase } from '../protocol.js';
import {
  PHONEBILL_KOS_MOCK_CODES,
  PHONEBILL_KOS_MOCK_PATHS,
  type PhonebillBill,
  type PhonebillCustomer,
  type PhonebillKosMockCode,
} from '../protocols/phonebillKosMock.js';
import { mockBill, mockCustomer, type MockBill } from './billData.js';
import type { MockContext } from './context.js';

/** Our mock's data in the kos-mock's wire form (KosBillInquiryResponse.BillInfo). */
function phonebillBill(b: MockBill): PhonebillBill {
  return {
    lineNumber: b.lineNumber,
    billingMonth: b.billingMonth,
    productCode: b.productCode,
    productName: b.productName,
    monthlyFee: b.monthlyFee,
    usageFee: b.usageFee,
    discountAmount: b.discounts.reduce((n, d) => n + d.amount, 0),
    totalFee: b.total,
    dataUsage: b.usage.data,
    voiceUsage: b.usage.voice,
    smsUsage: b.usage.sms,
    billStatus: b.paid ? 'PAID' : 'CONFIRMED',
    dueDate: b.billingDate.replace(/-/g, ''),
  };
}

function phonebillCustomerOf(digits: string): PhonebillCustomer {
  const c = mockCustomer(digits);
  return {
    customerName: c.customerName,
    customerId: c.customerId,
    operatorCode: c.operatorCode,
    lineStatus: c.lineStatus,
  };
}

const CODE_OF: Record<MockCase, PhonebillKosMockCode> = {
  ok: '0000',
  unknownLine: '1001',
  inactiveLine: '1002',
  noData: '1003',
  // KosMockService's simulated failure is caught by the controller: 9999 with HTTP 200.
  systemError: '9999',
};

/** Java's LocalDateTime as Jackson writes it (no zone). */
const localDateTime = (): string => new Date().toISOString().slice(0, 23);

/** KosCommonResponse: `data` only on success. */
function envelope(
  code: PhonebillKosMockCode,
  message: string = PHONEBILL_KOS_MOCK_CODES[code].message,
  data: unknown = null,
) {
  return {
    success: code === '0000',
    resultCode: code,
    resultMessage: message,
    data,
    timestamp: localDateTime(),
    traceId: null,
  };
}

const LINE = /^010\d{8}$/;
const MONTH = /^\d{6}$/;

/** Bean Validation of KosBillInquiryRequest, with its messages. */
function invalid(body: Record<string, unknown>): string | undefined {
  const problems: string[] = [];
  const { lineNumber, billingMonth, requestId } = body;
  if (typeof lineNumber !== 'string' || !lineNumber.trim()) problems.push('회선번호는 필수입니다');
  else if (!LINE.test(lineNumber)) problems.push('올바른 회선번호 형식이 아닙니다');
  if (billingMonth != null && (typeof billingMonth !== 'string' || !MONTH.test(billingMonth)))
    problems.push('청구월은 YYYYMM 형식이어야 합니다');
  if (typeof requestId !== 'string' || !requestId.trim()) problems.push('요청 ID는 필수입니다');
  return problems.length ? problems.join(', ') : undefined;
}

/**
 * phonebill's kos-mock: `POST /kos-mock/api/v1/kos/bill/inquiry`, its health
 * endpoint, and its GlobalExceptionHandler's answers (400 9001/9003, 405 9005, 404 9006).
 */
export function phonebillKosMockRoutes(app: FastifyInstance, ctx: MockContext): void {
  app.setErrorHandler((err, _req, res) => {
    if ((err as { statusCode?: number }).statusCode === 400) return res.code(400).send(envelope('9003'));
    return res.code(500).send(envelope('9998'));
  });
  app.setNotFoundHandler((_req, res) => res.code(404).send(envelope('9006')));

  app.post<{ Body: Record<string, unknown> | null }>(PHONEBILL_KOS_MOCK_PATHS.bill, async (req, res) => {
    const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {};
    const problem = invalid(body);
    if (problem) return res.code(400).send(envelope('9001', `${PHONEBILL_KOS_MOCK_CODES['9001'].message}: ${problem}`));
    const digits = body.lineNumber as string;
    // Like KosMockService: no billing month means the current one.
    const yyyymm = typeof body.billingMonth === 'string' && body.billingMonth ? body.billingMonth : ctx.currentMonth();
    const decided = await ctx.decide('bill', digits, yyyymm);
    if (decided === 'httpError') return res.code(500).send(envelope('9998'));
    const code = CODE_OF[decided];
    if (code !== '0000') return res.code(PHONEBILL_KOS_MOCK_CODES[code].status).send(envelope(code));
    return envelope('0000', '요금 조회가 완료되었습니다', {
      requestId: body.requestId,
      resultCode: '0000',
      resultMessage: PHONEBILL_KOS_MOCK_CODES['0000'].message,
      billInfo: phonebillBill(mockBill(digits, yyyymm)),
      customerInfo: phonebillCustomerOf(digits),
    });
  });
  app.route({
    method: ['GET', 'PUT', 'DELETE', 'PATCH'],
    url: PHONEBILL_KOS_MOCK_PATHS.bill,
    handler: async (_req, res) => res.code(405).send(envelope('9005')),
  });
  app.get(PHONEBILL_KOS_MOCK_PATHS.health, async () =>
    envelope('0000', '서비스가 정상 동작 중입니다', 'KOS Mock Service is running normally'),
  );
}
