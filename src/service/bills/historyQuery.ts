import { LRUCache } from 'lru-cache';
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
import { billSummary, FAILED_SUMMARY } from './summary.js';
import { apiStatus, type ApiStatus } from './status.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface HistoryFilter {
  lineNumber?: string;
  startDate?: string;
  endDate?: string;
  status?: ApiStatus;
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
  private readonly summaries = new LRUCache<string, string>({ max: 10_000 });

  constructor(
    private readonly primary: RoutedPool,
    private readonly reads: ReadRouter,
    private readonly writer: HistoryWriter,
    private readonly cipher: ColumnCipher,
    private readonly utcOffset: string,
    /** What the 202 answer announced (`estimatedTime`): progress is the share of it that has passed. */
    private readonly estimateMs: number,
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
    // Only UUIDv7 ids are ours; anything else (phonebill's REQ_… ids too) cannot exist: no query needed.
    if (!UUID_V7.test(requestId)) throw notFound('no such request', 'no inquiry has this requestId');
    const queued = this.writer.pending(requestId);
    if (queued) {
      if (queued.userId !== principal.userId) throw notFound('no such request', 'no inquiry has this requestId');
      return this.detail(queued);
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
    if (!r || r.user_id !== principal.userId) throw notFound('no such request', 'no inquiry has this requestId');
    return this.detail({
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

  /**
   * "{product}, {amount}원" of an encrypted bill. Memoized by ciphertext: a
   * cached bill is written to many rows under the same ciphertext, so listing
   * a history decrypts each distinct bill once.
   */
  private summaryOf(encrypted: string, stored: string | null): string | null {
    let s = this.summaries.get(encrypted);
    if (s === undefined) {
      try {
        s = billSummary(this.cipher.decryptJson<BillInfo>('bill_info_json', encrypted));
      } catch {
        // One unreadable bill (a key gone from this host) must not break the caller's whole history.
        return stored;
      }
      this.summaries.set(encrypted, s);
    }
    return s;
  }

  /**
   * One request as the API shows it: the design's status (a stored TIMEOUT is
   * FAILED), progress while PROCESSING, the bill when COMPLETED, the reason when FAILED.
   */
  private detail(r: BillHistoryRow) {
    const status = apiStatus(r.status);
    const elapsed = Date.now() - r.requestTime.getTime();
    return {
      requestId: r.requestId,
      lineNumber: r.lineNumber,
      inquiryMonth: r.inquiryMonth,
      requestTime: r.requestTime.toISOString(),
      ...(r.processTime ? { processTime: r.processTime.toISOString() } : {}),
      status,
      ...(r.billInfo && status === 'COMPLETED'
        ? { resultSummary: billSummary(r.billInfo) }
        : r.resultSummary
          ? { resultSummary: r.resultSummary }
          : {}),
      // Time-based: the answer has not come yet, so never 100 before it has.
      ...(status === 'PROCESSING'
        ? { progress: Math.max(0, Math.min(95, Math.floor((elapsed / this.estimateMs) * 100))) }
        : {}),
      ...(r.billInfo ? { billInfo: r.billInfo } : {}),
      ...(status === 'FAILED' ? { errorMessage: r.errorMessage ?? FAILED_SUMMARY } : {}),
    };
  }

  async page(principal: Principal, f: HistoryFilter) {
    if (f.lineNumber) ownLine(principal, f.lineNumber);
    const lines = f.lineNumber ? [f.lineNumber] : principal.lines;
    const from = f.startDate ? `${f.startDate}T00:00:00${this.utcOffset}` : null;
    const to = f.endDate ? nextDay(f.endDate, this.utcOffset) : null;
    const statuses = f.status === 'FAILED' ? ['FAILED', 'TIMEOUT'] : f.status ? [f.status] : null;
    const filter = [principal.userId, lines, from, to, statuses];
    return this.reads.read(async (pool) => {
      const page = await pool.query<Row & { bill_info: string | null; total: number }>({
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
        items: page.rows.map((r) => {
          const summary = r.bill_info ? this.summaryOf(r.bill_info, r.result_summary) : r.result_summary;
          return {
            requestId: r.request_id,
            lineNumber: r.line_number,
            inquiryMonth: r.inquiry_month,
            requestTime: r.request_time.toISOString(),
            ...(r.process_time ? { processTime: r.process_time.toISOString() } : {}),
            status: apiStatus(r.status),
            ...(summary ? { resultSummary: summary } : {}),
          };
        }),
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

/** The millisecond timestamp of a UUIDv7 (its first 48 bits); NaN for anything else. */
function uuidV7Time(id: string): number {
  return UUID_V7.test(id) ? parseInt(id.slice(0, 8) + id.slice(9, 13), 16) : Number.NaN;
}

/** Start of the day after `date` (endDate is inclusive). */
function nextDay(date: string, offset: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return `${d.toISOString().slice(0, 10)}T00:00:00${offset}`;
}
