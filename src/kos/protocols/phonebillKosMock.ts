import type { BillInfo, CustomerInfo, KosAnswer, KosAnswerKind, KosBillDetail } from '../protocol.js';
import { byStatus, type KosProtocolAdapter, type WireAnswer } from './adapter.js';
import { amount, date, isObject, month, paymentStatus, text } from './fields.js';

/**
 * The protocol of phonebill's kos-mock service (kos-mock/, KosMockController):
 * `POST /kos-mock/api/v1/kos/bill/inquiry {lineNumber: ^010\d{8}$, billingMonth?: YYYYMM,
 * requestId, requestorId?}` → `{success, resultCode, resultMessage, data, timestamp, traceId}`,
 * data = `{requestId, resultCode, resultMessage, billInfo, customerInfo}` on 0000, null otherwise.
 */
export const PHONEBILL_KOS_MOCK_PATHS = {
  /** Servlet context path /kos-mock + @RequestMapping /api/v1/kos. */
  base: '/kos-mock/api/v1/kos',
  bill: '/kos-mock/api/v1/kos/bill/inquiry',
  health: '/kos-mock/api/v1/kos/health',
} as const;

/** Result codes of the kos-mock (KosMockService, GlobalExceptionHandler), with the HTTP status they come with. */
export const PHONEBILL_KOS_MOCK_CODES = {
  '0000': { status: 200, message: '정상 처리되었습니다', kind: 'bill' },
  '1001': { status: 200, message: '존재하지 않는 회선번호입니다', kind: 'unknownLine' },
  '1002': { status: 200, message: '비활성 상태의 회선입니다', kind: 'inactiveLine' },
  '1003': { status: 200, message: '해당 월 요금 정보가 없습니다', kind: 'noData' },
  '9001': { status: 400, message: '입력값이 올바르지 않습니다', kind: 'badRequest' },
  '9002': { status: 400, message: '데이터 바인딩에 실패했습니다', kind: 'badRequest' },
  '9003': { status: 400, message: '요청 데이터 형식이 올바르지 않습니다', kind: 'badRequest' },
  '9004': { status: 400, message: '요청 파라미터 타입이 올바르지 않습니다', kind: 'badRequest' },
  '9005': { status: 405, message: '지원하지 않는 HTTP 메서드입니다', kind: 'badRequest' },
  '9006': { status: 404, message: '요청한 API를 찾을 수 없습니다', kind: 'badRequest' },
  /** A RuntimeException whose message names the KOS system. */
  '8888': { status: 200, message: 'KOS 시스템 일시적 오류', kind: 'systemError' },
  '9998': { status: 500, message: '처리 중 오류가 발생했습니다', kind: 'systemError' },
  /** The controller's catch-all: its random failures (kos.mock.failure-rate) arrive as 9999 with HTTP 200. */
  '9999': { status: 200, message: '시스템 오류가 발생했습니다', kind: 'systemError' },
} as const satisfies Record<string, { status: number; message: string; kind: KosAnswerKind }>;
export type PhonebillKosMockCode = keyof typeof PHONEBILL_KOS_MOCK_CODES;

/** KosBillInquiryResponse.BillInfo (BigDecimal amounts arrive as JSON numbers). */
export interface PhonebillBill {
  lineNumber: string;
  /** yyyyMM. */
  billingMonth: string;
  productCode: string;
  productName: string;
  monthlyFee: number;
  usageFee: number;
  discountAmount: number;
  totalFee: number;
  dataUsage: string;
  voiceUsage: string;
  smsUsage: string;
  /** PENDING, CONFIRMED, PAID. */
  billStatus: string;
  /** yyyyMMdd. */
  dueDate: string;
}

/** KosBillInquiryResponse.CustomerInfo. */
export interface PhonebillCustomer {
  customerName: string;
  customerId: string;
  operatorCode: string;
  /** ACTIVE, SUSPENDED, TERMINATED. */
  lineStatus: string;
}

/**
 * The kos-mock's bill → BillInfo: `totalFee` is the total; a non-zero
 * `discountAmount` becomes one discount named 할인 (the kos-mock names none); the
 * due date is the billing date and the bill status the payment status
 * (CONFIRMED/PENDING → UNPAID). The kos-mock reports no contract, termination
 * fee, installment or payment method: '' and 0.
 */
export function phonebillBillInfo(b: unknown): BillInfo | undefined {
  if (!isObject(b)) return undefined;
  const billingMonth = month(b.billingMonth);
  const productName = text(b.productName);
  if (!billingMonth || !productName || b.totalFee == null) return undefined;
  const discount = amount(b.discountAmount);
  const billingDate = date(b.dueDate);
  return {
    productName,
    contractInfo: '',
    billingMonth,
    totalAmount: amount(b.totalFee),
    discountInfo: discount ? [{ name: '할인', amount: Math.abs(discount) }] : [],
    usage: { voice: text(b.voiceUsage), sms: text(b.smsUsage), data: text(b.dataUsage) },
    terminationFee: 0,
    deviceInstallment: 0,
    ...(billingDate
      ? { paymentInfo: { billingDate, paymentStatus: paymentStatus(b.billStatus), paymentMethod: '' } }
      : {}),
  };
}

/**
 * What the kos-mock sends that BillInfo has no place for, kept as sent (amounts as integers,
 * absent texts ''), with its customerInfo: /api/v1/bills answers them unchanged.
 */
export function phonebillDetail(b: Record<string, unknown>, c: unknown): KosBillDetail {
  return {
    productCode: text(b.productCode),
    monthlyFee: amount(b.monthlyFee),
    usageFee: amount(b.usageFee),
    discountAmount: amount(b.discountAmount),
    billStatus: text(b.billStatus),
    dueDate: date(b.dueDate)?.replace(/-/g, '') ?? '',
    ...(isObject(c)
      ? {
          customer: {
            customerName: text(c.customerName),
            customerId: text(c.customerId),
            operatorCode: text(c.operatorCode),
            lineStatus: text(c.lineStatus),
          },
        }
      : {}),
  };
}

export function phonebillCustomer(c: unknown, digits: string): CustomerInfo | undefined {
  if (!isObject(c) || !text(c.customerId)) return undefined;
  return {
    customerId: text(c.customerId),
    lineNumber: `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`,
    customerName: text(c.customerName),
    status: c.lineStatus === 'ACTIVE' ? 'ACTIVE' : 'INACTIVE',
    operatorCode: text(c.operatorCode),
  };
}

function readBill(answer: WireAnswer, digits: string): KosAnswer {
  const body = isObject(answer.body) ? answer.body : undefined;
  const code = typeof body?.resultCode === 'string' ? body.resultCode : undefined;
  if (!code) return byStatus(answer, `KOS answered HTTP ${answer.status} without a result code`);
  const known = code in PHONEBILL_KOS_MOCK_CODES ? PHONEBILL_KOS_MOCK_CODES[code as PhonebillKosMockCode] : undefined;
  const base = { resultCode: code, resultMessage: text(body?.resultMessage), data: body?.data ?? null };
  if (!known) return { ...base, kind: answer.status >= 400 && answer.status < 500 ? 'badRequest' : 'systemError' };
  if (known.kind !== 'bill') return { ...base, kind: known.kind };
  const data = isObject(body?.data) ? body.data : undefined;
  const bill = phonebillBillInfo(data?.billInfo);
  if (!bill)
    return {
      ...base,
      kind: 'systemError',
      resultMessage: 'KOS answered 0000 with a bill that has no product, month or total',
    };
  const customer = phonebillCustomer(data?.customerInfo, digits);
  // phonebillBillInfo accepted it, so billInfo is an object.
  const detail = phonebillDetail(data!.billInfo as Record<string, unknown>, data?.customerInfo);
  return { ...base, kind: 'bill', bill: { ...bill, detail }, ...(customer ? { customer } : {}) };
}

export const phonebillKosMockAdapter: KosProtocolAdapter = {
  name: 'phonebill-kos-mock',
  billPath: PHONEBILL_KOS_MOCK_PATHS.bill,
  billRequest: ({ digits, yyyymm, requestId, requestorId }) => ({
    lineNumber: digits,
    billingMonth: yyyymm,
    requestId,
    requestorId,
  }),
  readBill,
  // The kos-mock has no customer endpoint: customerInfo arrives with every bill.
  customer: 'bill',
};
