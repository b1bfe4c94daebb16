import type { Config } from '../../config/schema.js';
import type { createLogger } from '../../log.js';
import { maskLine } from '../../log.js';
import type { ColumnCipher } from '../crypto/columnCipher.js';
import type { RoutedPool } from '../db/pools.js';
import { safeError } from '../logSafe.js';
import { DeadLetterFile } from './deadLetter.js';
import { flushFailure, sqlState } from './flushErrors.js';
import { billRecord, historyWrite, kosRecord, rowCount, type HistoryUnit } from './records.js';
import type { BillHistoryRow, KosHistoryRow } from './types.js';

export interface HistoryStats {
  queued: number;
  flushed: number;
  failedFlushes: number;
  lastFlushLagMs: number;
  /** Rows the database refused for their data, moved to the dead-letter file by this process. */
  deadLettered: number;
}

/** One request's share of a batch: its bill row (unless committed earlier) and its KOS rows. */
interface Pending {
  bill?: BillHistoryRow;
  kos: KosHistoryRow[];
}

/**
 * History off the request path. Requests enqueue (synchronous, no I/O); a timer
 * starts `concurrency` writers that write batches — bill rows and KOS rows in
 * one statement (sql/history.ts), so the KOS foreign key always finds its bill
 * row. A flush the database cannot take (down, failing
 * over, a month without partition) puts its rows back and retries. A flush one
 * row's data breaks (flushErrors.ts) is split in halves until that request's
 * rows stand alone; the rest is written, the bad rows go to the dead-letter
 * file (`history replay` brings them back). Nothing is dropped. The queue is bounded (`service.history.maxQueued`): when full, `accepting` turns false and
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
  private stats: HistoryStats = { queued: 0, flushed: 0, failedFlushes: 0, lastFlushLagMs: 0, deadLettered: 0 };
  private pausedUntil = 0;
  private readonly deadLetters: DeadLetterFile;

  constructor(
    private readonly cfg: Readonly<Config>,
    private readonly primary: RoutedPool,
    private readonly cipher: ColumnCipher,
    private readonly log: ReturnType<typeof createLogger>,
  ) {
    this.deadLetters = new DeadLetterFile(cfg.dataDir);
  }

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
      const left = new Set(byRequest(bills, kos));
      try {
        await this.isolate([...left], left);
      } catch (e) {
        this.retryLater(bills, kos, left, e);
        return;
      }
      this.settle(bills, kos.length);
      const oldest = bills[0]?.requestTime.getTime();
      if (oldest) this.stats.lastFlushLagMs = Date.now() - oldest;
    }
  }

  /**
   * Writes `units` in one statement; when a row's data is refused, writes
   * each half on its own, down to a lone request, which is dead-lettered.
   * Units written or dead-lettered leave `left`; any other failure is thrown.
   */
  private async isolate(units: Pending[], left: Set<Pending>): Promise<void> {
    const records = units.map((u) => this.encode(u));
    try {
      await this.primary.query(historyWrite(records));
    } catch (e) {
      if (flushFailure(e) !== 'row') throw e;
      if (units.length === 1) return this.deadLetter(units[0]!, records[0]!, e, left);
      const mid = Math.ceil(units.length / 2);
      await this.isolate(units.slice(0, mid), left);
      await this.isolate(units.slice(mid), left);
      return;
    }
    for (const u of units) left.delete(u);
    this.stats.flushed += rowCount(records);
  }

  private encode(u: Pending): HistoryUnit {
    return { bill: u.bill ? billRecord(u.bill, this.cipher) : null, kos: u.kos.map((k) => kosRecord(k, this.cipher)) };
  }

  private deadLetter(u: Pending, unit: HistoryUnit, e: unknown, left: Set<Pending>): void {
    const message = safeError(e);
    const sqlstate = sqlState(e) ?? '';
    this.deadLetters.append([{ at: new Date().toISOString(), sqlstate, message, ...unit }]);
    left.delete(u);
    const rows = rowCount([unit]);
    this.stats.deadLettered += rows;
    const first = u.bill ?? u.kos[0]!;
    const requestId = u.bill?.requestId ?? u.kos[0]!.billRequestId;
    this.log.error(
      { requestId, line: maskLine(first.lineNumber), rows, sqlstate, err: message, file: this.deadLetters.path },
      'history row refused by the database; moved to the dead-letter file — fix the cause, then run `bill-inquiry history replay`',
    );
  }

  /** Rows not yet written go back to the queue; writing pauses for `retryDelayMs`. */
  private retryLater(bills: BillHistoryRow[], kos: KosHistoryRow[], left: Set<Pending>, e: unknown): void {
    const back = [...left];
    const backBills = back.flatMap((u) => (u.bill ? [u.bill] : []));
    const backKos = back.flatMap((u) => u.kos);
    const kept = new Set(backBills);
    this.settle(
      bills.filter((b) => !kept.has(b)),
      kos.length - backKos.length,
    );
    this.putBack(backBills, backKos);
    this.stats.failedFlushes += 1;
    this.pausedUntil = Date.now() + this.cfg.service.history.retryDelayMs;
    if (flushFailure(e) === 'missingPartition') {
      this.log.error(
        { err: safeError(e), queued: this.size },
        'history rows have no partition for their month; rows kept for retry — run `bill-inquiry db maintain` to create the monthly partitions',
      );
    } else {
      this.log.warn({ err: safeError(e), queued: this.size }, 'history flush failed; rows kept for retry');
    }
  }

  /** Rows that left the queue for good (written or dead-lettered). */
  private settle(bills: BillHistoryRow[], kosCount: number): void {
    for (const b of bills) this.inFlight.delete(b.requestId);
    this.inFlightKos -= kosCount;
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
}

/**
 * Groups a batch by request: each bill row with its KOS rows, then each KOS
 * row whose bill row an earlier batch committed, on its own.
 */
function byRequest(bills: BillHistoryRow[], kos: KosHistoryRow[]): Pending[] {
  const units = new Map<string, Pending>(bills.map((b) => [b.requestId, { bill: b, kos: [] }]));
  const orphans: Pending[] = [];
  for (const k of kos) {
    const u = units.get(k.billRequestId);
    if (u) u.kos.push(k);
    else orphans.push({ kos: [k] });
  }
  return [...units.values(), ...orphans];
}
