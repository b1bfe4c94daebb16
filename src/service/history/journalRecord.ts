import type { BuildRecord } from './journal/journal.js';
import type { BillRecord, HistoryUnit } from './records.js';

/**
 * One request's rows as the journal holds them: JSON `{"b": bill, "k": kos,
 * "i": n}`, the bill record exactly as sent to the database (bill info
 * encrypted) except that its bill info is `i`, the index of that value in
 * the segment's dictionary. A cache hit's encrypted bill is one string shared
 * by every row that served it: stored once per segment, a row is ~250 bytes
 * instead of ~930, and the journal's CPU per row falls with the bytes it
 * checksums and copies.
 */
interface Journaled {
  b: BillRecord | null;
  k: HistoryUnit['kos'];
  i?: number;
}

export const journalRecord =
  (unit: HistoryUnit): BuildRecord =>
  (intern) => {
    const b = unit.bill;
    if (!b?.bill_info) return JSON.stringify({ b, k: unit.kos } satisfies Journaled);
    // Spelled out, not spread: this runs for every request.
    const bill: BillRecord = {
      request_id: b.request_id,
      user_id: b.user_id,
      line_number: b.line_number,
      inquiry_month: b.inquiry_month,
      request_time: b.request_time,
      process_time: b.process_time,
      status: b.status,
      result_summary: b.result_summary,
      bill_info: null,
      error_message: b.error_message,
    };
    return JSON.stringify({ b: bill, k: unit.kos, i: intern(b.bill_info) } satisfies Journaled);
  };

/** A journal record back as the unit it was made from; throws when it refers to a value its segment does not hold. */
export function fromJournal(payload: string, dict: readonly string[]): HistoryUnit {
  const j = JSON.parse(payload) as Journaled;
  if (j.i !== undefined && j.b) {
    const value = dict[j.i];
    if (value === undefined) throw new Error(`journal record refers to dictionary entry ${j.i}, which its file lacks`);
    j.b.bill_info = value;
  }
  return { bill: j.b, kos: j.k };
}
