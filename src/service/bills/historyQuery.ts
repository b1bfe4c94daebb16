import type { Principal } from '../auth/tokens.js';
import type { ColumnCipher } from '../crypto/columnCipher.js';
import type { ReadRouter } from '../db/readRouter.js';
import type { RoutedPool } from '../db/pools.js';
import { COUNT_HISTORY, SELECT_HISTORY_PAGE, SELECT_REQUEST } from '../db/sql/history.js';
import { notFound } from '../errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HistoryWriter } from '../history/historyWriter.js';
import type { BillHistoryRow } from '../history/types.js';
import type { BillInfo } from '../../kos/protocol.js';
import { ownLine } from './ownership.js';

export interface HistoryFilter {
  lineNumber?: string;
  startDate?: string;
  endDate?: string;
  status?: string;
  page: number;
  size: number;
}

interface Row {
  request_id: string;
  line_number: string;
  inquiry_month: string;
  request_time: Date;
  process_time: Date | null;
  status: BillHistoryRow['status'];
  result_summary: string | null;
}

/** Reads of bill_inquiry_history: one request (read-your-writes) and the paged listing (replica when healthy). */
export class HistoryQuery {
  constructor(
    private readonly primary: RoutedPool,
    private readonly reads: ReadRouter,
    private readonly writer: HistoryWriter,
    private readonly cipher: ColumnCipher,
    private readonly utcOffset: string,
    /** How long a fresh request id another process acknowledged may take to become visible (see `request`). */
    private readonly peer: { waitMs: number; pollMs: number } = { waitMs: 0, pollMs: 100 },
  ) {}

  /**
   * One request of the caller. Read-your-writes: the writer's queue first (not
   * yet flushed), then the primary — never the replica, which may lag. With
   * several workers or instances the request may have been acknowledged by
   * another process whose queue flushes within history.flushIntervalMs: an id
   * minted moments ago (its UUIDv7 time) that is not there yet is looked up
   * again for up to service.peerVisibilityMs before the answer is 404.
   */
  async request(principal: Principal, requestId: string) {
    const queued = this.writer.pending(requestId);
    if (queued) {
      if (queued.userId !== principal.userId) throw notFound('no such request');
      return detail(queued);
    }
    const lookup = async () =>
      (
        await this.primary.query<Row & { user_id: string; bill_info: string | null; error_message: string | null }>({
          name: 'history_request',
          text: SELECT_REQUEST,
          values: [requestId],
        })
      ).rows[0];
    let r = await lookup();
    const visibleBy = uuidV7Time(requestId) + this.peer.waitMs;
    while (!r && Date.now() < visibleBy) {
      await sleep(this.peer.pollMs);
      r = await lookup();
    }
    if (!r || r.user_id !== principal.userId) throw notFound('no such request');
    return detail({
      requestId: r.request_id,
      userId: r.user_id,
      lineNumber: r.line_number,
      inquiryMonth: r.inquiry_month,
      requestTime: r.request_time,
      processTime: r.process_time,
      status: r.status,
      resultSummary: r.result_summary,
      billInfo: r.bill_info ? this.cipher.decryptJson<BillInfo>('bill_info_json', r.bill_info) : null,
      errorMessage: r.error_message,
    });
  }

  async page(principal: Principal, f: HistoryFilter) {
    if (f.lineNumber) ownLine(principal, f.lineNumber);
    const lines = f.lineNumber ? [f.lineNumber] : principal.lines;
    const from = f.startDate ? `${f.startDate}T00:00:00${this.utcOffset}` : null;
    const to = f.endDate ? nextDay(f.endDate, this.utcOffset) : null;
    const filter = [principal.userId, lines, from, to, f.status ?? null];
    return this.reads.read(async (pool) => {
      const page = await pool.query<Row & { total: number }>({
        name: 'history_page',
        text: SELECT_HISTORY_PAGE,
        values: [...filter, f.size, (f.page - 1) * f.size],
      });
      const total =
        page.rows[0]?.total ??
        (f.page > 1
          ? (await pool.query<{ total: number }>({ name: 'history_count', text: COUNT_HISTORY, values: filter }))
              .rows[0]!.total
          : 0);
      const totalPages = Math.ceil(total / f.size);
      return {
        items: page.rows.map((r) => ({
          requestId: r.request_id,
          lineNumber: r.line_number,
          inquiryMonth: r.inquiry_month,
          status: r.status,
          requestTime: r.request_time.toISOString(),
          processTime: r.process_time?.toISOString() ?? null,
          resultSummary: r.result_summary,
        })),
        pagination: {
          currentPage: f.page,
          totalPages,
          totalItems: total,
          pageSize: f.size,
          hasNext: f.page < totalPages,
          hasPrevious: f.page > 1,
        },
      };
    });
  }
}

function detail(r: BillHistoryRow) {
  return {
    requestId: r.requestId,
    lineNumber: r.lineNumber,
    inquiryMonth: r.inquiryMonth,
    status: r.status,
    requestTime: r.requestTime.toISOString(),
    processTime: r.processTime?.toISOString() ?? null,
    resultSummary: r.resultSummary,
    ...(r.billInfo ? { billInfo: r.billInfo } : {}),
    errorMessage: r.errorMessage,
  };
}

/** Start of the day after `date` (endDate is inclusive). */
/** The millisecond timestamp of a UUIDv7 (its first 48 bits); NaN for anything else. */
function uuidV7Time(id: string): number {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-7/i.test(id) ? parseInt(id.slice(0, 8) + id.slice(9, 13), 16) : Number.NaN;
}

function nextDay(date: string, offset: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return `${d.toISOString().slice(0, 10)}T00:00:00${offset}`;
}
