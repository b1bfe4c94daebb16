import { createHash } from 'node:crypto';
import type { BillInfo, CustomerInfo } from '../protocol.js';

/**
 * Deterministic fake data: the same line and month always give the same bill,
 * so tests and benchmarks can compare answers. Lines ending in 0000 are
 * unknown to KOS (E001); lines ending in 9999 have no bills (E002).
 */
export const isUnknownLine = (digits: string): boolean => digits.endsWith('0000');
export const hasNoBills = (digits: string): boolean => digits.endsWith('9999');

const PRODUCTS = ['5G Premium 100GB', 'LTE Basic 10GB', 'Unlimited Talk Plus', 'Senior Smart 3GB'];
const PAYMENT_METHODS = ['CARD', 'BANK_TRANSFER', 'GIRO'];
const FAMILY = ['김', '이', '박', '최', '정'];
const GIVEN = ['민준', '서연', '도윤', '하은', '지호'];

function seed(...parts: string[]): number[] {
  return [...createHash('sha256').update(parts.join('|')).digest()];
}

export function billFor(digits: string, yyyymm: string): BillInfo {
  const s = seed('bill', digits, yyyymm);
  const base = 20_000 + ((s[0]! * 256 + s[1]!) % 80_000);
  const discount = (s[2]! % 10) * 1_000;
  const installment = s[3]! % 2 === 0 ? 0 : 15_000 + (s[4]! % 20) * 1_000;
  const year = yyyymm.slice(0, 4);
  const month = yyyymm.slice(4, 6);
  return {
    productName: PRODUCTS[s[5]! % PRODUCTS.length]!,
    contractInfo: `24-month contract from ${2020 + (s[6]! % 5)}-${String(1 + (s[7]! % 12)).padStart(2, '0')}`,
    billingMonth: `${year}-${month}`,
    totalAmount: base - discount + installment,
    discountInfo: discount > 0 ? [{ name: 'Selective contract discount', amount: discount }] : [],
    usage: { voice: `${s[8]! % 300} min`, sms: `${s[9]! % 200} msgs`, data: `${(s[10]! % 100) / 10 + 1} GB` },
    terminationFee: (s[11]! % 5) * 10_000,
    deviceInstallment: installment,
    paymentInfo: {
      billingDate: `${year}-${month}-25`,
      paymentStatus: s[12]! % 4 === 0 ? 'UNPAID' : 'PAID',
      paymentMethod: PAYMENT_METHODS[s[13]! % PAYMENT_METHODS.length]!,
    },
  };
}

export function customerFor(digits: string): CustomerInfo {
  const s = seed('customer', digits);
  return {
    customerId: `C${digits.slice(-8)}`,
    lineNumber: `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`,
    customerName: `${FAMILY[s[0]! % FAMILY.length]}${GIVEN[s[1]! % GIVEN.length]}`,
    status: s[2]! % 10 === 0 ? 'INACTIVE' : 'ACTIVE',
    operatorCode: `MVNO${String(s[3]! % 10).padStart(2, '0')}`,
  };
}
