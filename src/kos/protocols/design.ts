import type { BillInfo, CustomerInfo, KosAnswer, KosAnswerKind, KosBillDetail } from '../protocol.js';
import { byStatus, type KosProtocolAdapter, type WireAnswer } from './adapter.js';
import { amount, date, discounts, isObject, month, paymentStatus, text } from './fields.js';

/**
 * The KOS protocol of the phonebill design's sequence diagrams (bill-KOS연동,
 * kos-mock-요금조회): `POST /kos/bill/inquiry {lineNumber: digits, inquiryMonth: YYYYMM}`
 * → `{resultCode, resultMessage, data}`.
 */
export const DESIGN_PATHS = {
  bill: '/kos/bill/inquiry',
  /** Not in the design (it has no customer endpoint): our extension, served by the bundled mock. */
  customer: '/kos/customer/info',
} as const;

/** The design's result codes, their HTTP status and message (kos-mock-요금조회). */
export const DESIGN_CODES = {
  '0000': { status: 200, message: '성공', kind: 'bill' },
  E001: { status: 200, message: '회선번호가 존재하지 않습니다', kind: 'unknownLine' },
  E002: { status: 200, message: '해당 월의 요금 데이터가 존재하지 않습니다', kind: 'noData' },
  E400: { status: 400, message: '입력값이 올바르지 않습니다', kind: 'badRequest' },
  E999: { status: 500, message: '시스템 일시 장애가 발생했습니다', kind: 'systemError' },
} as const satisfies Record<string, { status: number; message: string; kind: KosAnswerKind }>;
export type DesignCode = keyof typeof DESIGN_CODES;

/** The design's bill data (`data` of a 0000 answer). */
export interface DesignBill {
  productName: string;
  contractInfo: string;
  /** YYYYMM. */
  billingMonth: string;
  charge: number;
  /** e.g. "가족할인 10000원". */
  discountInfo: string;
  usage: { voice: string; data: string };
  estimatedCancellationFee: number;
  deviceInstallment: number;
  billingPaymentInfo: { billingDate: string; paymentStatus: string };
}

/**
 * The design's bill → the API's BillInfo. `charge` is the billed total;
 * `discountInfo` is parsed into entries; SMS usage and the payment method are not
 * in the design and stay '' — as does any other absent text, while absent amounts are 0;
 * without a billing date there is no paymentInfo. A bill without a product
 * name, a month or a charge cannot be shown: undefined (the answer is unreadable).
 */
export function designBillInfo(d: unknown): BillInfo | undefined {
  if (!isObject(d)) return undefined;
  const billingMonth = month(d.billingMonth);
  const productName = text(d.productName);
  if (!billingMonth || !productName || d.charge == null) return undefined;
  const usage = isObject(d.usage) ? d.usage : {};
  const pay = isObject(d.billingPaymentInfo) ? d.billingPaymentInfo : undefined;
  const billingDate = date(pay?.billingDate);
  return {
    productName,
    contractInfo: text(d.contractInfo),
    billingMonth,
    totalAmount: amount(d.charge),
    discountInfo: discounts(d.discountInfo),
    usage: { voice: text(usage.voice), sms: text(usage.sms), data: text(usage.data) },
    terminationFee: amount(d.estimatedCancellationFee),
    deviceInstallment: amount(d.deviceInstallment),
    ...(billingDate
      ? {
          paymentInfo: {
            billingDate,
            paymentStatus: paymentStatus(pay?.paymentStatus),
            paymentMethod: text(pay?.paymentMethod),
          },
        }
      : {}),
  };
}

/**
 * The kos-mock's extra bill fields (KosBillDetail), derived from a bill the design's KOS
 * sent, which has none of them: no product code (''); the charge is not split, so the
 * monthly fee is everything but the device installment, before discounts
 * (charge + discounts − installment), and the usage fee 0 — monthlyFee + usageFee −
 * discountAmount + installment = the total, as in the kos-mock's bills; the discount amount
 * is the sum of the parsed discounts; the bill status is PAID when paid, else CONFIRMED
 * (billed); the due date is the billing date (YYYYMMDD, '' without one). Also the fallback
 * for bills cached before the detail was kept.
 */
export function designDetail(bill: BillInfo): KosBillDetail {
  const discountAmount = bill.discountInfo.reduce((n, d) => n + d.amount, 0);
  return {
    productCode: '',
    monthlyFee: bill.totalAmount + discountAmount - bill.deviceInstallment,
    usageFee: 0,
    discountAmount,
    billStatus: bill.paymentInfo?.paymentStatus === 'PAID' ? 'PAID' : 'CONFIRMED',
    dueDate: bill.paymentInfo?.billingDate.replace(/-/g, '') ?? '',
  };
}

function readBill(answer: WireAnswer): KosAnswer {
  const body = isObject(answer.body) ? answer.body : undefined;
  const code = typeof body?.resultCode === 'string' ? body.resultCode : undefined;
  if (!code) return byStatus(answer, `KOS answered HTTP ${answer.status} without a result code`);
  const known = code in DESIGN_CODES ? DESIGN_CODES[code as DesignCode] : undefined;
  const base = { resultCode: code, resultMessage: text(body?.resultMessage), data: body?.data ?? null };
  if (!known) return { ...base, kind: 'systemError' };
  if (known.kind !== 'bill') return { ...base, kind: known.kind };
  const bill = designBillInfo(body?.data);
  return bill
    ? { ...base, kind: 'bill', bill: { ...bill, detail: designDetail(bill) } }
    : {
        ...base,
        kind: 'systemError',
        resultMessage: 'KOS answered 0000 with a bill that has no product, month or charge',
      };
}

export const designAdapter: KosProtocolAdapter = {
  name: 'design',
  billPath: DESIGN_PATHS.bill,
  billRequest: ({ digits, yyyymm }) => ({ lineNumber: digits, inquiryMonth: yyyymm }),
  readBill,
  customer: {
    path: DESIGN_PATHS.customer,
    request: (digits) => ({ lineNumber: digits }),
    read(answer, digits): CustomerInfo | undefined {
      const body = isObject(answer.body) ? answer.body : undefined;
      const d = isObject(body?.data) ? body.data : undefined;
      if (answer.status !== 200 || body?.resultCode !== '0000' || !d || !text(d.customerId)) return undefined;
      return {
        customerId: text(d.customerId),
        lineNumber: `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`,
        customerName: text(d.customerName),
        status: d.status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE',
        operatorCode: text(d.operatorCode),
      };
    },
  },
};
