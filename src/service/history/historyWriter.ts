import type { Config } from '../../config/schema.js';
import type { createLogger } from '../../log.js';
import type { ColumnCipher } from '../crypto/columnCipher.js';
import type { RoutedPool } from '../db/pools.js';
import { INSERT_KOS_HISTORY, UPSERT_BILL_HISTORY } from '../db/sql/history.js';
import type { BillHistoryRow, KosHistoryRow } from './types.js';
import { safeError } from '../logSafe.js';

export interface HistoryStats {
  queued: number;
  flushed: number;
  failedFlushes: number;
  lastFlushLagMs: number;
}

/**
 * History off the request path. Requests enqueue (synchronous, no I/O); a timer
 * starts `concurrency` writers that write batches — bill rows then KOS rows,
 * one unnest statement each, in one transaction — so the KOS foreign key
 * always finds its bill row. A failed flush puts its rows back and retries;
 * nothing is dropped. The queue is bounded (`service.history.maxQueued`): when full, `accepting` turns false and
 * the API answers 503 rather than grow without limit. What a crash (kill -9)
 * can lose: rows still queued — normally one flush interval's worth.
 *
 * Bill rows are keyed by request id: a later state (COMPLETED after
 * PROCESSING) replaces an unflushed earlier one, so a batch never touches the
 * same row twice; `pending(id)` is the read-your-writes view of the queue.
 */
export class HistoryWriter {
  private bills = new Map<string, BillHistoryRow>();
  private kos: KosHistoryRow[] = [];
  /** Rows taken by a batch that has not committed yet (still visible to `pending`). */
  private inFlight = new Map<string, BillHistoryRow>();
  private inFlightKos = 0;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private stats: HistoryStats = { queued: 0, flushed: 0, failedFlushes: 0, lastFlushLagMs: 0 };
  private pausedUntil = 0;

  constructor(
    private readonly cfg: Readonly<Config>,
    private readonly primary: RoutedPool,
    private readonly cipher: ColumnCipher,
    private readonly log: ReturnType<typeof createLogger>,
  ) {}

  /** `alsoEachFlush` rides the same timer (e.g. cache access statistics). */
  start(alsoEachFlush?: () => Promise<void>): void {
    this.timer = setInterval(() => {
      void this.flush();
      void alsoEachFlush?.();
    }, this.cfg.service.history.flushIntervalMs);
    this.timer.unref();
  }

  get accepting(): boolean {
    return this.size < this.cfg.service.history.maxQueued;
  }

  get size(): number {
    return this.bills.size + this.kos.length + this.inFlight.size + this.inFlightKos;
  }

  /** Queues a bill row (and the KOS calls made for it, after it, for the foreign key). */
  enqueue(row: BillHistoryRow, kosRows: KosHistoryRow[] = []): void {
    this.bills.delete(row.requestId);
    this.bills.set(row.requestId, row);
    for (const k of kosRows) this.kos.push(k);
  }

  pending(requestId: string): BillHistoryRow | undefined {
    return this.bills.get(requestId) ?? this.inFlight.get(requestId);
  }

  historyStats(): HistoryStats {
    return { ...this.stats, queued: this.size };
  }

  /** Writes everything queued now (one batch after another); resolves when done or the DB failed. */
  async flush(force = false): Promise<void> {
    if (this.flushing) return this.flushing;
    if (!force && Date.now() < this.pausedUntil) return;
    this.flushing = this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Stops the timer and writes until the queue is empty; gives up after `deadlineMs` (rows then stay unwritten: logged). */
  async close(deadlineMs: number): Promise<void> {
    clearInterval(this.timer);
    const until = Date.now() + deadlineMs;
    while (this.size > 0 && Date.now() < until) {
      await this.flush(true);
      if (this.size > 0) await new Promise((r) => setTimeout(r, Math.min(this.cfg.service.history.retryDelayMs, 200)));
    }
    if (this.size > 0) this.log.error({ unwritten: this.size }, 'history rows could not be written before shutdown');
  }

  /** `service.history.concurrency` writers, each taking batches until the queue is empty or the database fails. */
  private async drain(): Promise<void> {
    await Promise.all(Array.from({ length: this.cfg.service.history.concurrency }, () => this.writer()));
  }

  private async writer(): Promise<void> {
    for (;;) {
      if (Date.now() < this.pausedUntil) return;
      const { bills, kos } = this.take();
      if (bills.length === 0 && kos.length === 0) return;
      try {
        await this.write(bills, kos);
      } catch (e) {
        this.putBack(bills, kos);
        this.stats.failedFlushes += 1;
        this.pausedUntil = Date.now() + this.cfg.service.history.retryDelayMs;
        this.log.warn({ err: safeError(e), queued: this.size }, 'history flush failed; rows kept for retry');
        return;
      }
      for (const b of bills) this.inFlight.delete(b.requestId);
      this.inFlightKos -= kos.length;
      this.stats.flushed += bills.length + kos.length;
      const oldest = bills[0]?.requestTime.getTime();
      if (oldest) this.stats.lastFlushLagMs = Date.now() - oldest;
    }
  }

  /**
   * Takes the next batch out of the queue (synchronously, so concurrent writers
   * never share a row). A request whose older state is still in flight waits,
   * and a KOS row goes only with or after its bill row (foreign key): the
   * leading KOS rows whose bill row is in this batch or already committed.
   */
  private take(): { bills: BillHistoryRow[]; kos: KosHistoryRow[] } {
    const { batchSize } = this.cfg.service.history;
    const bills: BillHistoryRow[] = [];
    for (const [id, row] of this.bills) {
      if (bills.length >= batchSize) break;
      if (!this.inFlight.has(id)) bills.push(row);
    }
    for (const b of bills) {
      this.bills.delete(b.requestId);
      this.inFlight.set(b.requestId, b);
    }
    const inBatch = new Set(bills.map((b) => b.requestId));
    let n = 0;
    for (const k of this.kos) {
      const id = k.billRequestId;
      if (n >= batchSize || !(inBatch.has(id) || (!this.bills.has(id) && !this.inFlight.has(id)))) break;
      n++;
    }
    const kos = this.kos.splice(0, n);
    this.inFlightKos += kos.length;
    return { bills, kos };
  }

  /** A failed batch goes back; a newer state queued meanwhile wins over the returned one. */
  private putBack(bills: BillHistoryRow[], kos: KosHistoryRow[]): void {
    for (const b of bills) {
      this.inFlight.delete(b.requestId);
      if (!this.bills.has(b.requestId)) this.bills.set(b.requestId, b);
    }
    this.inFlightKos -= kos.length;
    this.kos.unshift(...kos);
  }

  private async write(bills: BillHistoryRow[], kos: KosHistoryRow[]): Promise<void> {
    await this.primary.transaction(async (c) => {
      if (bills.length) await c.query({ name: 'history_bills', text: UPSERT_BILL_HISTORY, values: this.billColumns(bills) });
      if (kos.length) await c.query({ name: 'history_kos', text: INSERT_KOS_HISTORY, values: this.kosColumns(kos) });
    });
  }

  private billColumns(rows: BillHistoryRow[]): unknown[] {
    return [
      rows.map((r) => r.requestId),
      rows.map((r) => r.userId),
      rows.map((r) => r.lineNumber),
      rows.map((r) => r.inquiryMonth),
      rows.map((r) => r.requestTime.toISOString()),
      rows.map((r) => r.processTime?.toISOString() ?? null),
      rows.map((r) => r.status),
      rows.map((r) => r.resultSummary),
      rows.map((r) => (r.billInfo ? this.cipher.encryptJson('bill_info_json', r.billInfo) : null)),
      rows.map((r) => r.errorMessage),
    ];
  }

  private kosColumns(rows: KosHistoryRow[]): unknown[] {
    return [
      rows.map((r) => r.billRequestId),
      rows.map((r) => r.billRequestTime.toISOString()),
      rows.map((r) => r.lineNumber),
      rows.map((r) => r.inquiryMonth),
      rows.map((r) => r.requestTime.toISOString()),
      rows.map((r) => r.responseTime.toISOString()),
      rows.map((r) => r.resultCode),
      rows.map((r) => r.resultMessage),
      rows.map((r) => (r.kosData == null ? null : this.cipher.encryptJson('kos_data_json', r.kosData))),
      rows.map((r) => r.errorDetail),
      rows.map((r) => r.retryCount),
      rows.map((r) => r.breakerState),
    ];
  }
}
