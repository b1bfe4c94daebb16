import type { BillInfo } from '../../kos/protocol.js';

/** result_summary as phonebill's design and code form it (bill_inquiry_history, GET /bills/history). */
export const PROCESSING_SUMMARY = '처리 중';
export const FAILED_SUMMARY = '조회 실패';
export const COMPLETED_WITHOUT_BILL = '조회 완료';

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
