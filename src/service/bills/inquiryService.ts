import type { KosCallRecord, KosClient } from '../../kos/client/kosClient.js';
import type { BillInfo } from '../../kos/protocol.js';
import type { BillCache } from '../cache/billCache.js';
import type { CustomerCache } from '../cache/customerCache.js';
import type { LiveConfig } from '../config/liveSettings.js';
import { ApiError, unavailable } from '../errors.js';
import type { HistoryWriter } from '../history/historyWriter.js';
import type { BillHistoryRow, InquiryStatus } from '../history/types.js';
import type { Principal } from '../auth/tokens.js';
import { lineDigits } from './lineNumber.js';
import { availableMonths, currentMonth, kosMonth, withinWindow } from './months.js';
import { storedSummary } from './summary.js';
import { ownLine } from './ownership.js';
import { newRequestId } from './requestId.js';

export type InquiryAnswer =
  | { status: 200; data: { requestId: string; status: 'COMPLETED'; billInfo: BillInfo } }
  | { status: 202; data: { requestId: string; status: 'PROCESSING'; estimatedTime: string } };

interface Failure {
  status: InquiryStatus;
  error: ApiError;
}

/** What a KOS call that brought no bill means for the caller and for the history row. */
function failureOf(rec: KosCallRecord): Failure {
  const failed = (error: ApiError): Failure => ({ status: 'FAILED', error });
  switch (rec.outcome === 'success' ? rec.answer?.kind : undefined) {
    case 'unknownLine':
      return failed(new ApiError('LINE_NOT_FOUND', 'KOS does not know this line number'));
    case 'inactiveLine':
      return failed(new ApiError('LINE_INACTIVE', 'the line is suspended or terminated at KOS'));
    case 'noData':
      return failed(new ApiError('BILL_NOT_FOUND', 'KOS has no bill for this month'));
  }
  if (rec.outcome === 'rejected')
    return failed(unavailable('the billing system is unavailable (circuit breaker open); try again shortly'));
  if (rec.outcome === 'timeout')
    return { status: 'TIMEOUT', error: new ApiError('KOS_TIMEOUT', 'the billing system did not answer in time') };
  if (rec.answer?.kind === 'badRequest')
    return failed(new ApiError('KOS_ERROR', 'the billing system refused the request; check the KOS protocol and URL'));
  return failed(new ApiError('KOS_ERROR', 'the billing system answered with an error; try again later'));
}

/**
 * POST /bills/inquiry and POST /api/v1/bills/inquiry: cache-aside, then KOS. A local cache hit does no
 * database I/O on the request path: its history row is queued, and answered
 * once the journal's group commit has it on disk (page cache). A KOS answer
 * slower than `processingAfterMs` becomes 202 PROCESSING (journaled the same
 * way) and finishes in the background; for /api/v1/bills, one slower than its
 * deadline becomes KOS_TIMEOUT, recorded and finished the same way.
 */
export class InquiryService {
  private readonly background = new Set<Promise<unknown>>();

  constructor(
    private readonly opts: { timeZone: string; processingAfterMs: number; estimateSeconds: number },
    private readonly live: LiveConfig,
    private readonly cache: BillCache,
    private readonly customers: CustomerCache,
    private readonly kos: KosClient,
    private readonly history: HistoryWriter,
  ) {}

  /** Validates month and ownership; throws ApiError (4xx) before anything is written. */
  check(principal: Principal, line: string, month: string | undefined): string {
    ownLine(principal, line);
    const current = currentMonth(this.opts.timeZone);
    const m = month ?? current;
    const count = this.live.settings.availableMonths;
    if (!withinWindow(m, current, count)) {
      throw new ApiError(
        'MONTH_OUT_OF_RANGE',
        `inquiryMonth must be one of the last ${count} months (${current} or earlier)`,
        `inquiryMonth ${m} is not between ${availableMonths(current, count).at(-1)!} and ${current}`,
      );
    }
    if (!this.history.accepting) throw unavailable('the service is catching up on history writes; try again shortly');
    return m;
  }

  /** /bills: a KOS answer slower than `processingAfterMs` becomes 202 PROCESSING. */
  async inquire(principal: Principal, line: string, month: string): Promise<InquiryAnswer> {
    const r = await this.run(principal, line, month, this.opts.processingAfterMs);
    if ('billInfo' in r)
      return { status: 200, data: { requestId: r.requestId, status: 'COMPLETED', billInfo: r.billInfo } };
    return {
      status: 202,
      data: { requestId: r.requestId, status: 'PROCESSING', estimatedTime: `${this.opts.estimateSeconds}초` },
    };
  }

  /**
   * /api/v1/bills: the bill within `deadlineMs`, or KOS_TIMEOUT — never a 202, which
   * phonebill's page cannot show. Past the deadline the request is recorded PROCESSING
   * and the KOS call finishes in the background exactly as for /bills (row completed,
   * bill cached for the next try).
   */
  async inquireNow(
    principal: Principal,
    line: string,
    month: string,
    deadlineMs: number,
  ): Promise<{ requestId: string; billInfo: BillInfo }> {
    const r = await this.run(principal, line, month, deadlineMs);
    if ('billInfo' in r) return r;
    throw new ApiError(
      'KOS_TIMEOUT',
      'the billing system did not answer in time; the inquiry finishes in the background, try again shortly',
      `no KOS answer within service.apiV1.inquiryDeadlineMs (${deadlineMs} ms); request ${r.requestId} stays PROCESSING until it does`,
    );
  }

  /** Cache, then KOS for at most `waitMs`: the bill, or `slow` with the PROCESSING row queued. */
  private async run(
    principal: Principal,
    line: string,
    month: string,
    waitMs: number,
  ): Promise<{ requestId: string; billInfo: BillInfo } | { requestId: string; slow: true }> {
    const requestId = newRequestId();
    // The schema CHECKs request_time = uuid_v7_time(request_id): take it from the id itself.
    const requestTime = new Date(parseInt(requestId.slice(0, 8) + requestId.slice(9, 13), 16));
    const base = { requestId, userId: principal.userId, lineNumber: line, inquiryMonth: month, requestTime };

    const cached = this.cache.local(line, month) ?? (await this.cache.shared(line, month));
    if (cached) {
      // Answered only once the row is in the journal (one write per event-loop turn for all requests in it).
      const journaled = this.history.enqueue(row(base, 'COMPLETED', cached));
      if (journaled) await journaled;
      return { requestId, billInfo: cached };
    }

    let done = false;
    const call = this.callKos(base).finally(() => {
      done = true;
      this.background.delete(call);
    });
    this.background.add(call);
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((r) => (timer = setTimeout(r, waitMs, 'slow')));
    const first = await Promise.race([call, slow]).finally(() => clearTimeout(timer));
    if (first === 'slow' && !done) {
      call.catch(() => undefined);
      await this.history.enqueue(row(base, 'PROCESSING', null));
      return { requestId, slow: true };
    }
    const outcome = await call;
    if ('error' in outcome) throw outcome.error;
    return { requestId, billInfo: outcome.bill };
  }

  /** Waits for KOS calls still running (202 answers finishing in the background), so their rows get queued. */
  async drain(deadlineMs: number): Promise<void> {
    const timeout = new Promise((r) => setTimeout(r, deadlineMs).unref());
    await Promise.race([Promise.allSettled([...this.background]), timeout]);
  }

  /** Calls KOS, caches a bill, queues the final history row with its KOS row. */
  private async callKos(base: Base): Promise<{ bill: BillInfo } | Failure> {
    const rec = await this.kos.billInquiry(lineDigits(base.lineNumber), kosMonth(base.inquiryMonth), base.requestId);
    const kosRow = {
      billRequestId: base.requestId,
      billRequestTime: base.requestTime,
      lineNumber: base.lineNumber,
      inquiryMonth: base.inquiryMonth,
      requestTime: rec.startedAt,
      responseTime: rec.finishedAt,
      resultCode: rec.answer?.resultCode ?? null,
      resultMessage: rec.answer?.resultMessage ?? null,
      kosData: rec.answer?.data ?? null,
      errorDetail: rec.errorDetail ?? null,
      retryCount: rec.retryCount,
      breakerState: rec.breakerState,
    };
    const bill = rec.outcome === 'success' ? rec.answer?.bill : undefined;
    if (bill) {
      this.cache.put(base.lineNumber, base.inquiryMonth, bill, this.live.settings.billCacheTtlMs);
      // The kos-mock protocol sends the customer with every bill: the menu's lookup is warm for free.
      if (rec.answer?.customer) this.customers.offer(rec.answer.customer, this.live.settings.customerCacheTtlMs);
      await this.history.enqueue(row(base, 'COMPLETED', bill), [kosRow]);
      return { bill };
    }
    const failure = failureOf(rec);
    await this.history.enqueue(row(base, failure.status, null, failure.error.message), [kosRow]);
    return failure;
  }
}

type Base = Pick<BillHistoryRow, 'requestId' | 'userId' | 'lineNumber' | 'inquiryMonth' | 'requestTime'>;

/**
 * Properties spelled out, not spread: on the hot path a spread costs several
 * times more. result_summary holds the design's status words only (./summary.ts).
 */
function row(base: Base, status: InquiryStatus, bill: BillInfo | null, error: string | null = null): BillHistoryRow {
  return {
    requestId: base.requestId,
    userId: base.userId,
    lineNumber: base.lineNumber,
    inquiryMonth: base.inquiryMonth,
    requestTime: base.requestTime,
    status,
    processTime: status === 'PROCESSING' ? null : new Date(),
    resultSummary: storedSummary(status),
    billInfo: bill,
    errorMessage: error,
  };
}
