/**
 * One journal file and the rows in it that the database has not committed yet.
 * `open`: rows may still arrive — the segment being appended to, or an adopted
 * one (left by a dead process) not fully loaded yet. A segment that is no
 * longer open and has nothing outstanding can go.
 */
export class Segment {
  /** Rows written here (or loaded from here) that the database has not committed yet. */
  outstanding = 0;
  open = true;
  /** File descriptor while this process appends to it. */
  fd?: number;
  /** fdatasync calls in flight on `fd` (it is closed once the segment is sealed and they are done). */
  syncing = 0;
  /** Values written once in this file (`D<index>:<value>` records) and their indexes. */
  readonly dict = new Map<string, number>();

  constructor(
    readonly path: string,
    public bytes: number,
    /** Left by another (dead) process and claimed by this one. */
    readonly adopted: boolean,
  ) {}

  get reclaimable(): boolean {
    return this.outstanding === 0 && (!this.open || (!this.adopted && this.bytes > 0));
  }
}

/**
 * What one journal record still holds: `rows` of it not committed yet, in
 * `seg` once the record is on disk (undefined before its group commit, or if
 * that write failed — then there is nothing on disk to release).
 */
export interface Hold {
  seg?: Segment;
  rows: number;
}

/**
 * Disk budget (`service.history.journal.maxBytes`): new inquiries are refused
 * (503) from `REFUSE_AT` of it on. The rest is room for rows of requests
 * already under way — a 202 PROCESSING request's final row, its KOS call —
 * which are never refused, so the budget can be exceeded by their few bytes
 * but nothing acknowledged is ever dropped.
 */
export const REFUSE_AT = 0.9;

export const acceptsNewRows = (bytes: number, maxBytes: number): boolean => bytes < maxBytes * REFUSE_AT;
