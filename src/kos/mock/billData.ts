import { createHash } from 'node:crypto';
import type { BillInfo, MockCase } from '../protocol.js';

/**
 * The mock's data, protocol-neutral: the routes of each protocol render it.
 * Deterministic — the same line and month always give the same bill — so tests
 * and benchmarks can compare answers.
 *
 * Lines (digits):
 * - the phonebill design's scenario lines (sequence kos-mock-요금조회): 01012345679 has
 *   no data (after 300 ms), 01012345680 is a system error (after 1 s), 01012345681
 *   answers after 5 s (the client's timeout scenario); 01012345678 and any other line succeed;
 * - the phonebill kos-mock's customers: six active lines (01012345678, 01087654321,
 *   01055554444, 01099998888, 01077776666, 01033332222) and the suspended 01000000000;
 *   when the mock speaks the kos-mock protocol, like phonebill's kos-mock their bills
 *   exist only for the current and the two previous months;
 * - ours: a line ending in 0000 is unknown to KOS, one ending in 9999 has no bills.
 */
export interface MockBill {
  /** Digits. */
  lineNumber: string;
  /** YYYYMM. */
  billingMonth: string;
  productCode: string;
  productName: string;
  contractInfo: string;
  monthlyFee: number;
  usageFee: number;
  discounts: Array<{ name: string; amount: number }>;
  deviceInstallment: number;
  /** monthlyFee + usageFee − discounts + deviceInstallment. */
  total: number;
  usage: { voice: string; sms: string; data: string };
  cancellationFee: number;
  /** YYYY-MM-DD. */
  billingDate: string;
  paid: boolean;
  paymentMethod: string;
}

export interface MockCustomer {
  customerId: string;
  customerName: string;
  operatorCode: string;
  lineStatus: 'ACTIVE' | 'SUSPENDED';
}

/** The design's scenario lines and the delay it gives each (sequence kos-mock-요금조회). */
export const DESIGN_SCENARIO_LINES: Record<string, { case: MockCase; delayMs: number }> = {
  '01012345679': { case: 'noData', delayMs: 300 },
  '01012345680': { case: 'systemError', delayMs: 1000 },
  '01012345681': { case: 'ok', delayMs: 5000 },
};

/** The products of phonebill's kos-mock (MockDataService). */
const PRODUCTS = [
  { code: '5G-PREMIUM-001', name: '5G 프리미엄 플랜', fee: 89_000 },
  { code: '5G-STANDARD-001', name: '5G 스탠다드 플랜', fee: 69_000 },
  { code: 'LTE-PREMIUM-001', name: 'LTE 프리미엄 플랜', fee: 59_000 },
  { code: 'LTE-BASIC-001', name: 'LTE 베이직 플랜', fee: 39_000 },
  { code: '3G-OLD-001', name: '3G 레거시 플랜', fee: 29_000 },
] as const;

/** phonebill kos-mock's customers, with their products. */
const KOS_MOCK_CUSTOMERS: Record<string, MockCustomer & { product: number }> = {
  '01012345678': {
    customerId: 'CUST000001',
    customerName: '김테스트',
    operatorCode: 'KT',
    lineStatus: 'ACTIVE',
    product: 0,
  },
  '01087654321': {
    customerId: 'CUST000002',
    customerName: '이샘플',
    operatorCode: 'KT',
    lineStatus: 'ACTIVE',
    product: 1,
  },
  '01055554444': {
    customerId: 'CUST000003',
    customerName: '박데모',
    operatorCode: 'KT',
    lineStatus: 'ACTIVE',
    product: 2,
  },
  '01099998888': {
    customerId: 'CUST000004',
    customerName: '최모의',
    operatorCode: 'KT',
    lineStatus: 'ACTIVE',
    product: 3,
  },
  '01077776666': {
    customerId: 'CUST000005',
    customerName: '정시험',
    operatorCode: 'KT',
    lineStatus: 'ACTIVE',
    product: 4,
  },
  '01033332222': {
    customerId: 'CUST000006',
    customerName: '한실험',
    operatorCode: 'KT',
    lineStatus: 'ACTIVE',
    product: 0,
  },
  '01000000000': {
    customerId: 'CUST999999',
    customerName: '비활성사용자',
    operatorCode: 'KT',
    lineStatus: 'SUSPENDED',
    product: 3,
  },
};

const DISCOUNTS = ['가족할인', '온라인할인', '선택약정할인'];
const PAYMENT_METHODS = ['자동이체', '신용카드', '지로'];
const FAMILY = ['김', '이', '박', '최', '정'];
const GIVEN = ['민준', '서연', '도윤', '하은', '지호'];

function seed(...parts: string[]): number[] {
  return [...createHash('sha256').update(parts.join('|')).digest()];
}

/** Months between two YYYYMM values (a − b). */
const monthsBetween = (a: string, b: string): number =>
  (Number(a.slice(0, 4)) - Number(b.slice(0, 4))) * 12 + Number(a.slice(4, 6)) - Number(b.slice(4, 6));

/**
 * How the mock answers `digits` for `yyyymm`. `kosMockMonths` (the current
 * month, YYYYMM) limits the kos-mock's customers to its three months of bills.
 */
export function caseOf(digits: string, yyyymm: string, kosMockMonths?: string): MockCase {
  const known = KOS_MOCK_CUSTOMERS[digits];
  if (known?.lineStatus === 'SUSPENDED') return 'inactiveLine';
  const scenario = DESIGN_SCENARIO_LINES[digits];
  if (scenario) return scenario.case;
  if (known && kosMockMonths) {
    const back = monthsBetween(kosMockMonths, yyyymm);
    return back >= 0 && back < 3 ? 'ok' : 'noData';
  }
  if (digits.endsWith('0000')) return 'unknownLine';
  if (digits.endsWith('9999')) return 'noData';
  return 'ok';
}

export function mockBill(digits: string, yyyymm: string): MockBill {
  const s = seed('bill', digits, yyyymm);
  const known = KOS_MOCK_CUSTOMERS[digits];
  const product = PRODUCTS[known ? known.product : s[5]! % PRODUCTS.length]!;
  const usageFee = ((s[0]! * 256 + s[1]!) % 30) * 1_000;
  const discount = (s[2]! % 10) * 1_000;
  const installment = s[3]! % 2 === 0 ? 0 : 15_000 + (s[4]! % 20) * 1_000;
  const year = yyyymm.slice(0, 4);
  const month = yyyymm.slice(4, 6);
  return {
    lineNumber: digits,
    billingMonth: yyyymm,
    productCode: product.code,
    productName: product.name,
    contractInfo: `24개월 약정 (${2020 + (s[6]! % 5)}-${String(1 + (s[7]! % 12)).padStart(2, '0')}부터)`,
    monthlyFee: product.fee,
    usageFee,
    discounts: discount > 0 ? [{ name: DISCOUNTS[s[14]! % DISCOUNTS.length]!, amount: discount }] : [],
    deviceInstallment: installment,
    total: product.fee + usageFee - discount + installment,
    usage: { voice: `${s[8]! % 300}분`, sms: `${s[9]! % 200}건`, data: `${(s[10]! % 100) / 10 + 1}GB` },
    cancellationFee: (s[11]! % 5) * 10_000,
    billingDate: `${year}-${month}-25`,
    paid: s[12]! % 4 !== 0,
    paymentMethod: PAYMENT_METHODS[s[13]! % PAYMENT_METHODS.length]!,
  };
}

export function mockCustomer(digits: string): MockCustomer {
  const known = KOS_MOCK_CUSTOMERS[digits];
  if (known) {
    const { product: _product, ...customer } = known;
    return customer;
  }
  const s = seed('customer', digits);
  return {
    customerId: `C${digits.slice(-8)}`,
    customerName: `${FAMILY[s[0]! % FAMILY.length]}${GIVEN[s[1]! % GIVEN.length]}`,
    operatorCode: `MVNO${String(s[3]! % 10).padStart(2, '0')}`,
    lineStatus: 'ACTIVE',
  };
}

export const dashed = (digits: string): string => `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`;

/** The bill in the API's shape with every field the mock knows (what a lossless protocol would carry). */
export function billFor(digits: string, yyyymm: string): BillInfo {
  const b = mockBill(digits, yyyymm);
  return {
    productName: b.productName,
    contractInfo: b.contractInfo,
    billingMonth: `${yyyymm.slice(0, 4)}-${yyyymm.slice(4, 6)}`,
    totalAmount: b.total,
    discountInfo: b.discounts,
    usage: b.usage,
    terminationFee: b.cancellationFee,
    deviceInstallment: b.deviceInstallment,
    paymentInfo: {
      billingDate: b.billingDate,
      paymentStatus: b.paid ? 'PAID' : 'UNPAID',
      paymentMethod: b.paymentMethod,
    },
  };
}
