import type { BillInfo, CustomerInfo, KosCustomerDetail } from '../../kos/protocol.js';
import { designDetail } from '../../kos/protocols/design.js';
import { lineDigits } from './lineNumber.js';
import { kosMonth } from './months.js';

/** billInfo of phonebill's running code (§8: the kos-mock's KosBillInquiryResponse.BillInfo). */
export interface V1BillInfo {
  /** 11 digits. */
  lineNumber: string;
  /** YYYYMM. */
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
  billStatus: string;
  /** YYYYMMDD, '' when KOS reported no date. */
  dueDate: string;
}

/**
 * Our bill in the running code's shape. The fields the design's bill has no place for come
 * from `bill.detail` (what the KOS adapter kept); a bill cached before the detail was kept
 * gets it derived as from the design's KOS (designDetail).
 */
export function v1BillInfo(bill: BillInfo, line: string): V1BillInfo {
  const d = bill.detail ?? designDetail(bill);
  return {
    lineNumber: lineDigits(line),
    billingMonth: kosMonth(bill.billingMonth),
    productCode: d.productCode,
    productName: bill.productName,
    monthlyFee: d.monthlyFee,
    usageFee: d.usageFee,
    discountAmount: d.discountAmount,
    totalFee: bill.totalAmount,
    dataUsage: bill.usage.data,
    voiceUsage: bill.usage.voice,
    smsUsage: bill.usage.sms,
    billStatus: d.billStatus,
    dueDate: d.dueDate,
  };
}

/**
 * customerInfo of the answer: as KOS sent it with the bill (kos-mock protocol); else the
 * customer info we cache for the line (the design's KOS: its customer endpoint), its
 * ACTIVE/INACTIVE as `lineStatus`; else, so the bill is never withheld for it, the token's
 * customer id with empty texts and ACTIVE — KOS just answered a bill for the line, and it
 * refuses bills of suspended lines.
 */
export function v1Customer(
  bill: BillInfo,
  cached: CustomerInfo | undefined,
  tokenCustomerId: string | undefined,
): KosCustomerDetail {
  if (bill.detail?.customer) return bill.detail.customer;
  if (cached)
    return {
      customerName: cached.customerName,
      customerId: cached.customerId,
      operatorCode: cached.operatorCode,
      lineStatus: cached.status,
    };
  return { customerName: '', customerId: tokenCustomerId ?? '', operatorCode: '', lineStatus: 'ACTIVE' };
}
