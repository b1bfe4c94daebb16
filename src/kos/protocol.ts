import type { ServiceConfig } from '../config/sections/service.js';

/*
 * What the service needs from KOS, whatever protocol carries it. The wire
 * protocols (src/kos/protocols/) map their answers into these types; the mock
 * (src/kos/mock/) renders its data into each wire protocol.
 */

/** The wire protocols a KOS adapter speaks (`service.kosProtocol`). */
export type KosProtocolName = ServiceConfig['kosProtocol'];

/** The mock's scenario endpoint (ours, whatever protocol the mock speaks). */
export const KOS_PATHS = { admin: '/kos/admin/scenario' } as const;

/** The API's bill (SPEC.md "billInfo"): what every adapter maps a KOS bill into. */
export interface BillInfo {
  productName: string;
  contractInfo: string;
  /** YYYY-MM. */
  billingMonth: string;
  totalAmount: number;
  discountInfo: Array<{ name: string; amount: number }>;
  usage: { voice: string; sms: string; data: string };
  terminationFee: number;
  deviceInstallment: number;
  /** Absent when KOS reports no billing date. */
  paymentInfo?: { billingDate: string; paymentStatus: PaymentStatus; paymentMethod: string };
  /**
   * What phonebill's running code answers beyond the design's bill (/api/v1/bills), kept with
   * the bill through the caches (encrypted as the bill is). The /bills schemas do not name it,
   * so the design's API never shows it. Absent in bills cached before it existed.
   */
  detail?: KosBillDetail;
}

/**
 * The kos-mock's bill fields the design's BillInfo has no place for (KosBillInquiryResponse).
 * The phonebill-kos-mock adapter keeps them as KOS sent them; the design adapter derives
 * them (src/kos/protocols/design.ts designDetail, docs/service.md "KOS protocols").
 */
export interface KosBillDetail {
  productCode: string;
  monthlyFee: number;
  usageFee: number;
  discountAmount: number;
  /** PENDING, CONFIRMED, PAID (the kos-mock's words). */
  billStatus: string;
  /** YYYYMMDD; '' when KOS reports no due date. */
  dueDate: string;
  /** The customer KOS sent with the bill (kos-mock protocol); the design's KOS sends none. */
  customer?: KosCustomerDetail;
}

/** KosBillInquiryResponse.CustomerInfo, as KOS sent it (`lineStatus` ACTIVE, SUSPENDED, TERMINATED). */
export interface KosCustomerDetail {
  customerName: string;
  customerId: string;
  operatorCode: string;
  lineStatus: string;
}

export type PaymentStatus = 'PAID' | 'UNPAID' | 'OVERDUE';

export interface CustomerInfo {
  customerId: string;
  /** 010-NNNN-NNNN. */
  lineNumber: string;
  customerName: string;
  status: 'ACTIVE' | 'INACTIVE';
  operatorCode: string;
}

/**
 * What one KOS answer means for the service, in any protocol:
 * - `bill`: the bill (0000);
 * - `unknownLine`, `inactiveLine`, `noData`: business answers — KOS works, the answer is no;
 *   never retried, never counted by the breaker;
 * - `badRequest`: KOS refused our request (E400, 9001–9006): retrying the same request cannot help,
 *   and KOS is up, so it is neither retried nor counted — but the inquiry fails;
 * - `systemError`: KOS failed (E999, 9999, HTTP 5xx, an unreadable answer): retried, counted by the breaker.
 */
export type KosAnswerKind = 'bill' | 'unknownLine' | 'inactiveLine' | 'noData' | 'badRequest' | 'systemError';

export interface KosAnswer {
  kind: KosAnswerKind;
  /** KOS's own result code (kos_inquiry_history.result_code), or `HTTP <status>` when the answer has none. */
  resultCode: string;
  resultMessage: string;
  bill?: BillInfo;
  /** The customer, when the protocol sends it with the bill (phonebill kos-mock). */
  customer?: CustomerInfo;
  /** The answer's data as KOS sent it (kos_inquiry_history.kos_data_json, encrypted). */
  data: unknown;
}

/** How the mock answers a line, whatever protocol it speaks. */
export type MockCase = 'ok' | 'unknownLine' | 'inactiveLine' | 'noData' | 'systemError';

/** Runtime scenario of the mock, changeable through the admin endpoint. */
export interface KosScenario {
  latencyMs: number;
  failureRate: number;
  timeoutRate: number;
  hangMs: number;
  /** Every bill call answers this case (tests flip unknown line / no data / system error without special lines). */
  force: MockCase | null;
  /** Every call answers HTTP 500 (transport-level failure). */
  httpError: boolean;
}
