/** The KOS wire protocol (SPEC.md "The service API"): what the mock serves and the client speaks. */

export const KOS_PATHS = {
  billInquiry: '/kos/bill/inquiry',
  customerInfo: '/kos/customer/info',
  admin: '/kos/admin/scenario',
} as const;

export type KosResultCode = '0000' | 'E001' | 'E002' | 'E999';

export const KOS_MESSAGES: Record<KosResultCode, string> = {
  '0000': 'success',
  E001: 'unknown line number',
  E002: 'no bill data for the month',
  E999: 'system error',
};

export interface KosBillRequest {
  /** Digits only, e.g. 01012345678. */
  lineNumber: string;
  /** YYYYMM. */
  inquiryMonth: string;
}

export interface KosCustomerRequest {
  lineNumber: string;
}

export interface KosResponse<T> {
  resultCode: KosResultCode;
  resultMessage: string;
  data: T | null;
}

export interface BillInfo {
  productName: string;
  contractInfo: string;
  billingMonth: string;
  totalAmount: number;
  discountInfo: Array<{ name: string; amount: number }>;
  usage: { voice: string; sms: string; data: string };
  terminationFee: number;
  deviceInstallment: number;
  paymentInfo: { billingDate: string; paymentStatus: string; paymentMethod: string };
}

export interface CustomerInfo {
  customerId: string;
  lineNumber: string;
  customerName: string;
  status: 'ACTIVE' | 'INACTIVE';
  operatorCode: string;
}

/** Runtime scenario of the mock, changeable through the admin endpoint. */
export interface KosScenario {
  latencyMs: number;
  failureRate: number;
  timeoutRate: number;
  hangMs: number;
  /** Every bill call answers this code (tests flip E001/E002/E999 without special lines). */
  forceCode: KosResultCode | null;
  /** Every call answers HTTP 500 (transport-level failure). */
  httpError: boolean;
}
