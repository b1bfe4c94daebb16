import type { BillInfo } from '../../kos/protocol.js';
import type { BreakerState } from '../../kos/client/breaker.js';

export type InquiryStatus = 'PROCESSING' | 'COMPLETED' | 'FAILED' | 'TIMEOUT';

/** One bill_inquiry_history row, in plaintext until the writer encrypts it at flush time. */
export interface BillHistoryRow {
  requestId: string;
  userId: string;
  lineNumber: string;
  inquiryMonth: string;
  requestTime: Date;
  processTime: Date | null;
  status: InquiryStatus;
  resultSummary: string | null;
  billInfo: BillInfo | null;
  errorMessage: string | null;
}

export interface KosHistoryRow {
  billRequestId: string;
  billRequestTime: Date;
  lineNumber: string;
  inquiryMonth: string;
  requestTime: Date;
  responseTime: Date;
  resultCode: string | null;
  resultMessage: string | null;
  kosData: unknown;
  errorDetail: string | null;
  retryCount: number;
  breakerState: BreakerState;
}
