import pg from 'pg';

/**
 * What a failed history write means:
 * - `retry`: the database is unavailable or refuses every write (no SQLSTATE,
 *   class 08, 57P0x, 53xxx, 40001/40P01, 25006 after a failover, permissions…):
 *   keep the rows, pause, try again.
 * - `missingPartition`: no monthly partition for the rows' time — every row of
 *   that month fails alike; retried until `bill-inquiry db maintain` adds it.
 * - `row`: a data error caused by some row's values (class 22, not-null,
 *   unique, foreign-key or check violation): isolate the row, write the others.
 */
export type FlushFailure = 'retry' | 'missingPartition' | 'row';

const ROW_SPECIFIC = new Set(['23502', '23503', '23505', '23514']);
const NO_PARTITION = /no partition of relation .* found for row/;

export function flushFailure(e: unknown): FlushFailure {
  if (!(e instanceof pg.DatabaseError) || !e.code) return 'retry';
  if (NO_PARTITION.test(e.message)) return 'missingPartition';
  return e.code.startsWith('22') || ROW_SPECIFIC.has(e.code) ? 'row' : 'retry';
}

/** SQLSTATE of a database error, or undefined. */
export const sqlState = (e: unknown): string | undefined => (e instanceof pg.DatabaseError ? e.code : undefined);
