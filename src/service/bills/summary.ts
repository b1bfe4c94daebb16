import type { BillInfo } from '../../kos/protocol.js';

import type { InquiryStatus } from '../history/types.js';

/**
 * resultSummary as phonebill's design and code form it: "{productName},
 * {totalAmount with thousands separators}원" for a bill, 조회 완료 without one,
 * 처리 중, 조회 실패. The product and the amount are bill information, which
 * is encrypted at rest (plan §10.2): bill_inquiry_history.result_summary keeps
 * only the status words, and the API forms the design's summary from the
 * decrypted bill when it answers.
 */
export const PROCESSING_SUMMARY = '처리 중';
export const FAILED_SUMMARY = '조회 실패';
export const COMPLETED_WITHOUT_BILL = '조회 완료';

/** What result_summary stores: no bill data. */
export const storedSummary = (status: InquiryStatus): string =>
  status === 'COMPLETED' ? COMPLETED_WITHOUT_BILL : status === 'PROCESSING' ? PROCESSING_SUMMARY : FAILED_SUMMARY;

const won = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
/** A cached bill object is summarized once, however many history rows it answers (the cache-hit path). */
const memo = new WeakMap<BillInfo, string>();

/** "5G 프리미엄 플랜, 89,000원". */
export function billSummary(bill: BillInfo | null): string {
  if (!bill) return COMPLETED_WITHOUT_BILL;
  let s = memo.get(bill);
  if (s === undefined) memo.set(bill, (s = `${bill.productName}, ${won.format(bill.totalAmount)}원`));
  return s;
}
