import type { PaymentStatus } from '../protocol.js';

/**
 * Field conversions the adapters share. Each takes what a KOS answer may hold
 * and returns the API's form, or the documented default when the field is
 * absent or unreadable (docs/service.md "KOS protocols").
 */

/** An amount in KRW as an integer: numbers (Java BigDecimal arrives as a number) and digit strings ("10,000"); else 0. */
export function amount(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.round(v);
  if (typeof v === 'string') {
    const n = Number(v.replace(/[,\s원]/g, ''));
    if (v.trim() !== '' && Number.isFinite(n)) return Math.round(n);
  }
  return 0;
}

/** A display string (usage, contract, method); absent → '' (KOS did not report it). */
export const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** YYYYMM or YYYY-MM → YYYY-MM; anything else → undefined. */
export function month(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4})-?(0[1-9]|1[0-2])$/.exec(v.trim());
  return m ? `${m[1]}-${m[2]}` : undefined;
}

/** YYYY-MM-DD or YYYYMMDD → YYYY-MM-DD; anything else → undefined. */
export function date(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4})-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])$/.exec(v.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/**
 * One discount per "<name> <amount>원" in the design's string ("가족할인 10000원",
 * several separated by commas, slashes or plus signs; amounts may carry
 * thousands separators). A string without any amount is kept as one discount
 * of 0 won, so its text is not lost; an empty or absent string is no discount.
 * An array already in the API's form passes through.
 */
export function discounts(v: unknown): Array<{ name: string; amount: number }> {
  if (Array.isArray(v))
    return v
      .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null)
      .map((d) => ({ name: text(d.name), amount: amount(d.amount) }));
  if (typeof v !== 'string' || !v.trim()) return [];
  const found = [...v.matchAll(/\s*([^,/+]*?)\s*(-?\d[\d,]*)\s*원/g)].map((m) => ({
    name: m[1]!.trim(),
    // "가족할인 -10000원" and "가족할인 10000원" both mean 10,000 won off.
    amount: Math.abs(amount(m[2])),
  }));
  return found.length ? found : [{ name: v.trim(), amount: 0 }];
}

/**
 * The API's payment status from KOS's words: the design's "완료" (paid), "미납"
 * (unpaid), "연체" (overdue); the kos-mock's bill status PAID, or CONFIRMED /
 * PENDING (billed, not yet paid). Anything unknown is UNPAID: never claim a
 * payment KOS did not confirm.
 */
export function paymentStatus(v: unknown): PaymentStatus {
  const s = typeof v === 'string' ? v.trim().toUpperCase() : '';
  if (s === '완료' || s === '납부완료' || s === 'PAID') return 'PAID';
  if (s === '연체' || s === 'OVERDUE') return 'OVERDUE';
  return 'UNPAID';
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
