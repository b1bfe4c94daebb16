import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ColumnCipher } from '../crypto/columnCipher.js';
import { WRITE_HISTORY } from '../db/sql/history.js';
import type { BillInfo } from '../../kos/protocol.js';
import type { BillHistoryRow, KosHistoryRow } from './types.js';

/** A bill_inquiry_history row as it is sent to the database: bill info already encrypted. */
export interface BillRecord {
  request_id: string;
  user_id: string;
  line_number: string;
  inquiry_month: string;
  request_time: string;
  process_time: string | null;
  status: string;
  result_summary: string | null;
  bill_info: string | null;
  error_message: string | null;
}

/** A kos_inquiry_history row as it is sent to the database: KOS data already encrypted. */
export interface KosRecord {
  bill_request_id: string;
  bill_request_time: string;
  line_number: string;
  inquiry_month: string;
  request_time: string;
  response_time: string;
  result_code: string | null;
  result_message: string | null;
  kos_data: string | null;
  error_detail: string | null;
  retry_count: number;
  breaker_state: string;
  /** The call's key, made once when the row is encoded: a replayed row is not inserted twice. Absent in dead letters older than it. */
  call_id?: string | null;
}

/**
 * What one request contributes to a batch: its bill row (absent when that was
 * committed by an earlier batch) and its KOS rows. The unit of isolation and
 * of the dead-letter file, so a KOS row never travels without its bill row.
 */
export interface HistoryUnit {
  bill: BillRecord | null;
  kos: KosRecord[];
}

export const billRecord = (r: BillHistoryRow, cipher: ColumnCipher): BillRecord => ({
  request_id: r.requestId,
  user_id: r.userId,
  line_number: r.lineNumber,
  inquiry_month: r.inquiryMonth,
  request_time: r.requestTime.toISOString(),
  process_time: r.processTime?.toISOString() ?? null,
  status: r.status,
  result_summary: r.resultSummary,
  bill_info: r.billInfo ? cipher.encryptJson('bill_info_json', r.billInfo) : null,
  error_message: r.errorMessage,
});

export const kosRecord = (r: KosHistoryRow, cipher: ColumnCipher): KosRecord => ({
  bill_request_id: r.billRequestId,
  bill_request_time: r.billRequestTime.toISOString(),
  line_number: r.lineNumber,
  inquiry_month: r.inquiryMonth,
  request_time: r.requestTime.toISOString(),
  response_time: r.responseTime.toISOString(),
  result_code: r.resultCode,
  result_message: r.resultMessage,
  kos_data: r.kosData == null ? null : cipher.encryptJson('kos_data_json', r.kosData),
  error_detail: r.errorDetail,
  retry_count: r.retryCount,
  breaker_state: r.breakerState,
  call_id: randomUUID(),
});

const BILL_COLUMNS = [
  'request_id',
  'user_id',
  'line_number',
  'inquiry_month',
  'request_time',
  'process_time',
  'status',
  'result_summary',
  'bill_info',
  'error_message',
] as const;
const KOS_COLUMNS = [
  'bill_request_id',
  'bill_request_time',
  'line_number',
  'inquiry_month',
  'request_time',
  'response_time',
  'result_code',
  'result_message',
  'kos_data',
  'error_detail',
  'retry_count',
  'breaker_state',
  'call_id',
] as const;

/** The one statement that writes these units (atomic on its own: no transaction needed). */
export function historyWrite(units: readonly HistoryUnit[]): pg.QueryConfig {
  const bills = units.flatMap((u) => (u.bill ? [u.bill] : []));
  const kos = units.flatMap((u) => u.kos);
  return {
    name: 'history_write',
    text: WRITE_HISTORY,
    values: [
      ...BILL_COLUMNS.map((c) => bills.map((b) => b[c])),
      ...KOS_COLUMNS.map((c) => kos.map((k) => k[c] ?? null)),
    ],
  };
}

export const rowCount = (units: readonly HistoryUnit[]): number =>
  units.reduce((n, u) => n + (u.bill ? 1 : 0) + u.kos.length, 0);

/** A queued bill record back as a row (read-your-writes of a request not written yet): decrypts the bill info. */
export const billRow = (r: BillRecord, cipher: ColumnCipher): BillHistoryRow => ({
  requestId: r.request_id,
  userId: r.user_id,
  lineNumber: r.line_number,
  inquiryMonth: r.inquiry_month,
  requestTime: new Date(r.request_time),
  processTime: r.process_time ? new Date(r.process_time) : null,
  status: r.status as BillHistoryRow['status'],
  resultSummary: r.result_summary,
  billInfo: r.bill_info ? cipher.decryptJson<BillInfo>('bill_info_json', r.bill_info) : null,
  errorMessage: r.error_message,
});
