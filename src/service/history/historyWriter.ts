import path from 'node:path';
import type { Config } from '../../config/schema.js';
import type { createLogger } from '../../log.js';
import { maskLine } from '../../log.js';
import type { ColumnCipher } from '../crypto/columnCipher.js';
import type { RoutedPool } from '../db/pools.js';
import { unavailable } from '../errors.js';
import { safeError } from '../logSafe.js';
import { DeadLetterFile } from './deadLetter.js';
import { flushFailure, sqlState } from './flushErrors.js';
import { Journal, type JournalStats } from './journal/journal.js';
import { fromJournal, journalRecord } from './journalRecord.js';
import type { Hold } from './journal/segment.js';
import {
  billRecord,
  billRow,
  historyWrite,
  kosRecord,
  rowCount,
  type BillRecord,
  type HistoryUnit,
  type KosRecord,
} from './records.js';
import type { BillHistoryRow, KosHistoryRow } from './types.js';

export interface HistoryStats {
  queued: number;
  flushed: number;
  failedFlushes: number;
  lastFlushLagMs: number;
  /** Rows the database refused for their data, moved to the dead-letter file by this process. */
  deadLettered: number;
  /** The durable journal under the queue; absent when `service.history.journal.enabled` is false. */
  journal?: JournalStats;
}

/**
 * A bill row waiting for the database, encoded as it will be sent (bill info
 * encrypted), with the journal records holding it: its own, and those of the
 * older states of the same request it replaced in the queue.
 */
interface QueuedBill {
  rec: BillRecord;
  holds: (Hold | undefined)[];
}

interface QueuedKos {
  rec: KosRecord;
  hold: Hold | undefined;
}

/** One request's share of a batch: its bill row (unless committed earlier) and its KOS rows. */
interface Pending {
  bill?: QueuedBill;
  kos: QueuedKos[];
}

/**
 * History off the request path. A request enqueues: its rows are encoded
 * (bill info encrypted) and queued in memory, and — with the journal on — appended to
 * the local durable journal, whose group commit the request awaits before it is
 * answered (journal/journal.ts): a crash (kill -9) loses nothing acknowledged,
 * and the journal is replayed by the next start. A timer starts `concurrency`
 * writers that write batches — bill rows and KOS rows in one statement
 * (sql/history.ts), so the KOS foreign key always finds its bill row. A flush
 * the database cannot take (down, failing over, a month without partition)
 * puts its rows back and retries. A flush one row's data breaks
 * (flushErrors.ts) is split in halves until that request's rows stand alone;
 * the rest is written, the bad rows go to the dead-letter file (`history
 * replay` brings them back). A row leaves the journal only once committed or
 * dead-lettered. Nothing is dropped. The queue is bounded
 * (`service.history.maxQueued`) and so is the journal (`journal.maxBytes`):
 * beyond either, `accepting` turns false and the API answers 503.
 *
 * Bill rows are keyed by request id: a later state (COMPLETED after
 * PROCESSING) replaces an unflushed earlier one, so a batch never touches the
 * same row twice; `pending(id)` is the read-your-writes view of the queue.
 */
export class HistoryWriter {
  private bills = new Map<string, QueuedBill>();
  private kos: QueuedKos[] = [];
  /** Rows taken by a batch that has not committed yet (still visible to `pending`). */
  private inFlight = new Map<string, QueuedBill>();
  private inFlightKos = 0;
  private timers: NodeJS.Timeout[] = [];
  private flushing?: Promise<void>;
  private stats: HistoryStats = { queued: 0, flushed: 0, failedFlushes: 0, lastFlushLagMs: 0, deadLettered: 0 };
  private pausedUntil = 0;
  private readonly deadLetters: DeadLetterFile;
  readonly journal?: Journal;

  constructor(
    private readonly cfg: Readonly<Config>,
    private readonly primary: RoutedPool,
    private readonly cipher: ColumnCipher,
    private readonly log: ReturnType<typeof createLogger>,
  ) {
    this.deadLetters = new DeadLetterFile(cfg.dataDir);
    const j = cfg.service.history.journal;
    if (j.enabled)
      this.journal = new Journal({ root: journalRoot(cfg.dataDir), ...j }, log, (e) =>
        unavailable('the inquiry history cannot be recorded right now; try again shortly', e),
      );
  }

  /**
   * Opens the journal (claiming journals of dead processes, whose rows are
   * queued here a segment at a time while the service runs) and starts the
   * flush timer. `alsoEachFlush` rides the same timer (e.g. cache access statistics).
   */
  start(alsoEachFlush?: () => Promise<void>): void {
    const h = this.cfg.service.history;
    if (this.journal) {
      this.journal.open();
      this.replayMore();
      this.every(h.journal.claimIntervalMs, () => {
        try {
          this.journal!.claim();
        } catch (e) {
          this.log.error(
            { err: safeError(e) },
            'looking for history journals of dead processes failed; trying again later',
          );
        }
      });
    }
    this.every(h.flushIntervalMs, () => {
      this.replayMore();
      void this.flush();
      void alsoEachFlush?.();
    });
  }

  get accepting(): boolean {
    return this.size < this.cfg.service.history.maxQueued && (this.journal?.accepting ?? true);
  }

  get size(): number {
    return this.bills.size + this.kos.length + this.inFlight.size + this.inFlightKos;
  }

  /**
   * Queues a bill row (and the KOS calls made for it, after it, for the
   * foreign key). With the journal on, the promise resolves once the rows are
   * in the journal file: answer the request after it.
   */
  enqueue(row: BillHistoryRow, kosRows: KosHistoryRow[] = []): Promise<void> | undefined {
    const bill = billRecord(row, this.cipher);
    const kos = kosRows.map((k) => kosRecord(k, this.cipher));
    const j = this.journal?.append(journalRecord({ bill, kos }), 1 + kos.length);
    this.queue(bill, kos, j?.hold);
    return j?.written;
  }

  pending(requestId: string): BillHistoryRow | undefined {
    const q = this.bills.get(requestId) ?? this.inFlight.get(requestId);
    return q && billRow(q.rec, this.cipher);
  }

  historyStats(): HistoryStats {
    return { ...this.stats, queued: this.size, ...(this.journal ? { journal: this.journal.stats() } : {}) };
  }

  /** Writes everything queued now (one batch after another); resolves when done or the DB failed. */
  async flush(force = false): Promise<void> {
    if (this.flushing) return this.flushing;
    if (!force && Date.now() < this.pausedUntil) return;
    this.flushing = this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /**
   * Stops the timers and writes until the queue (and any journal left to
   * replay) is empty; gives up after `deadlineMs`. Rows left then stay in the
   * journal for the next start (without the journal they are lost: logged).
   */
  async close(deadlineMs: number): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    const until = Date.now() + deadlineMs;
    for (;;) {
      this.replayMore();
      if (this.size === 0 && !this.journal?.replayPending) break;
      if (Date.now() >= until) break;
      await this.flush(true);
      if (this.size > 0) await new Promise((r) => setTimeout(r, Math.min(this.cfg.service.history.retryDelayMs, 200)));
    }
    const kept = this.journal?.close();
    if (kept?.keptRows)
      this.log.warn(
        { unwritten: this.size, keptRows: kept.keptRows, keptBytes: kept.keptBytes, dir: this.journal!.dir },
        'history rows could not be written before shutdown; they stay in the journal and are written when the service next starts',
      );
    else if (this.size > 0)
      this.log.error({ unwritten: this.size }, 'history rows could not be written before shutdown');
  }

  private every(ms: number, f: () => void): void {
    const t = setInterval(f, ms);
    t.unref();
    this.timers.push(t);
  }

  private queue(bill: BillRecord | null, kos: KosRecord[], hold: Hold | undefined): void {
    if (bill) {
      const older = this.bills.get(bill.request_id);
      this.bills.delete(bill.request_id);
      this.bills.set(bill.request_id, { rec: bill, holds: older ? [...older.holds, hold] : [hold] });
    }
    for (const k of kos) this.kos.push({ rec: k, hold });
  }

  /**
   * Queues the next journal segment left by a dead process, while the queue
   * has room for it (half the bound: live requests keep the other half).
   */
  private replayMore(): void {
    const j = this.journal;
    while (j?.replayPending && this.size < this.cfg.service.history.maxQueued / 2) {
      const seg = j.readAdopted();
      if (!seg) return;
      let rows = 0;
      let unreadable = 0;
      for (const payload of seg.payloads) {
        let unit: HistoryUnit;
        try {
          unit = fromJournal(payload, seg.dict);
        } catch {
          unreadable++;
          continue;
        }
        const n = rowCount([unit]);
        this.queue(unit.bill, unit.kos, seg.hold(n));
        rows += n;
      }
      if (unreadable) seg.keepCopy(unreadable);
      seg.done();
      this.log.info({ rows, from: seg.from }, 'history journal replay: rows queued for the database');
    }
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
      const oldest = bills[0]?.rec.request_time;
      if (oldest) this.stats.lastFlushLagMs = Date.now() - Date.parse(oldest);
    }
  }

  /**
   * Writes `units` in one statement; when a row's data is refused, writes
   * each half on its own, down to a lone request, which is dead-lettered.
   * Units written or dead-lettered leave `left` (and the journal); any other failure is thrown.
   */
  private async isolate(units: Pending[], left: Set<Pending>): Promise<void> {
    const records = units.map(encoded);
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
    for (const u of units) this.done(u, left);
    this.stats.flushed += rowCount(records);
  }

  /** A unit is committed (or dead-lettered): it leaves the batch's open set, and its rows the journal. */
  private done(u: Pending, left: Set<Pending>): void {
    left.delete(u);
    if (!this.journal) return;
    for (const h of u.bill?.holds ?? []) this.journal.release(h);
    for (const k of u.kos) this.journal.release(k.hold);
  }

  private deadLetter(u: Pending, unit: HistoryUnit, e: unknown, left: Set<Pending>): void {
    const message = safeError(e);
    const sqlstate = sqlState(e) ?? '';
    // Synced before the rows leave the journal: the dead-letter file is now their only copy.
    this.deadLetters.append([{ at: new Date().toISOString(), sqlstate, message, ...unit }]);
    this.done(u, left);
    const rows = rowCount([unit]);
    this.stats.deadLettered += rows;
    const first = unit.bill ?? unit.kos[0]!;
    const requestId = unit.bill?.request_id ?? unit.kos[0]!.bill_request_id;
    this.log.error(
      { requestId, line: maskLine(first.line_number), rows, sqlstate, err: message, file: this.deadLetters.path },
      'history row refused by the database; moved to the dead-letter file — fix the cause, then run `bill-inquiry history replay`',
    );
  }

  /** Rows not yet written go back to the queue; writing pauses for `retryDelayMs`. */
  private retryLater(bills: QueuedBill[], kos: QueuedKos[], left: Set<Pending>, e: unknown): void {
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
  private settle(bills: QueuedBill[], kosCount: number): void {
    for (const b of bills) this.inFlight.delete(b.rec.request_id);
    this.inFlightKos -= kosCount;
  }

  /**
   * Takes the next batch out of the queue (synchronously, so concurrent writers
   * never share a row). A request whose older state is still in flight waits,
   * and a KOS row goes only with or after its bill row (foreign key): the
   * leading KOS rows whose bill row is in this batch or already committed.
   */
  private take(): { bills: QueuedBill[]; kos: QueuedKos[] } {
    const { batchSize } = this.cfg.service.history;
    const bills: QueuedBill[] = [];
    for (const [id, q] of this.bills) {
      if (bills.length >= batchSize) break;
      if (!this.inFlight.has(id)) bills.push(q);
    }
    for (const b of bills) {
      this.bills.delete(b.rec.request_id);
      this.inFlight.set(b.rec.request_id, b);
    }
    const inBatch = new Set(bills.map((b) => b.rec.request_id));
    let n = 0;
    for (const k of this.kos) {
      const id = k.rec.bill_request_id;
      if (n >= batchSize || !(inBatch.has(id) || (!this.bills.has(id) && !this.inFlight.has(id)))) break;
      n++;
    }
    const kos = this.kos.splice(0, n);
    this.inFlightKos += kos.length;
    return { bills, kos };
  }

  /** A failed batch goes back; a newer state queued meanwhile wins over the returned one (and takes over its journal holds). */
  private putBack(bills: QueuedBill[], kos: QueuedKos[]): void {
    for (const b of bills) {
      this.inFlight.delete(b.rec.request_id);
      const newer = this.bills.get(b.rec.request_id);
      if (newer) newer.holds.push(...b.holds);
      else this.bills.set(b.rec.request_id, b);
    }
    this.inFlightKos -= kos.length;
    this.kos.unshift(...kos);
  }
}

/** `<dataDir>/history/journal`: one directory per service process under it. */
export const journalRoot = (dataDir: string): string => path.join(dataDir, 'history', 'journal');

const encoded = (u: Pending): HistoryUnit => ({ bill: u.bill?.rec ?? null, kos: u.kos.map((k) => k.rec) });

/**
 * Groups a batch by request: each bill row with its KOS rows, then each KOS
 * row whose bill row an earlier batch committed, on its own.
 */
function byRequest(bills: QueuedBill[], kos: QueuedKos[]): Pending[] {
  const units = new Map<string, Pending>(bills.map((b) => [b.rec.request_id, { bill: b, kos: [] }]));
  const orphans: Pending[] = [];
  for (const k of kos) {
    const u = units.get(k.rec.bill_request_id);
    if (u) u.kos.push(k);
    else orphans.push({ kos: [k] });
  }
  return [...units.values(), ...orphans];
}
