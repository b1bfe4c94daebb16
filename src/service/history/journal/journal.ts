import {
  chmodSync,
  copyFileSync,
  fdatasync,
  fdatasyncSync,
  fsync,
  ftruncateSync,
  mkdirSync,
  openSync,
  close as closeFd,
  readFileSync,
  statSync,
  unlinkSync,
  utimes,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { createLogger } from '../../../log.js';
import { claimOrphans, removeDir, SEGMENT_SUFFIX, segmentFiles, type Orphan } from './claim.js';
import { dictRecord, splitDictionary } from './dictionary.js';
import { decodeFrames, encodeFrames } from './frame.js';
import { currentOwner, ownerId, type Owner } from './owner.js';
import { acceptsNewRows, Segment, type Hold } from './segment.js';

export interface JournalOptions {
  /** `<dataDir>/history/journal`: one directory per process under it. */
  root: string;
  segmentBytes: number;
  maxBytes: number;
  fsyncIntervalMs: number;
  /** A journal of another host whose owner has not touched it for this long is claimed. */
  staleAfterMs: number;
  /** Who this journal belongs to; the current process unless a test plays several. */
  owner?: Owner;
}

export interface JournalStats {
  /** Bytes of journal files on disk: this process's and the adopted ones not yet deleted. */
  bytes: number;
  budgetBytes: number;
  /** False from 90 % of the budget on: new inquiries get 503. */
  accepting: boolean;
  /** Rows on disk whose database commit has not been seen yet. */
  outstandingRows: number;
  segments: number;
  /** Rows appended by this process (acknowledged requests' rows among them). */
  appendedRows: number;
  /** Group commits: one write(2) each. */
  writes: number;
  writeErrors: number;
  fsyncs: number;
  /** Duration of the last fdatasync (ms). */
  lastFsyncMs: number;
  maxFsyncMs: number;
  /** Rows read back from journals of dead processes (replayed, or about to be). */
  replayedRows: number;
  /** Adopted segment files not read yet. */
  replayPendingSegments: number;
  /** Bytes of torn or damaged tails found when reading adopted segments. */
  unreadBytes: number;
}

type Log = ReturnType<typeof createLogger>;

/**
 * Makes one record's payload at group-commit time. `intern(value)` stores a
 * long value once per segment and returns its index (a cache hit's encrypted
 * bill is the same string in every row: written once, it costs a few bytes
 * per row instead of ~700).
 */
export type BuildRecord = (intern: (value: string) => number) => string;

/** Journal directories open in this process: a second journal on the same data dir (the bench, tests) gets its own. */
const inUse = new Set<string>();

/** Files 0600, directories 0700: the rows hold line numbers and user ids (values stay encrypted). */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * The local durable journal under the history writer (docs/service.md
 * "History"). Rows are appended before the response is sent: every row
 * enqueued in one event-loop turn goes out in one write(2) from a
 * setImmediate callback (group commit), and the requests' responses are sent
 * after it returned — a process kill then loses nothing acknowledged, because
 * the page cache outlives the process. fdatasync runs every
 * `fsyncIntervalMs`, off the event loop: a power loss loses at most that
 * interval plus one fdatasync. A row leaves the journal when the database has
 * committed it: each segment counts its outstanding rows; a sealed segment at
 * zero is deleted, the active one truncated.
 */
export class Journal {
  readonly owner: Owner;
  dir: string;
  private closed = false;
  private active!: Segment;
  private seq = 0;
  private claims = 0;
  private readonly segments = new Set<Segment>();
  private readonly orphans: Orphan[] = [];
  /** Bytes of every journal file this process holds (own and adopted), kept as they change: read on every request. */
  private diskBytes = 0;
  private pending: BuildRecord[] = [];
  private pendingHolds: Hold[] = [];
  private batch?: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void };
  private scheduled = false;
  /** The active file saw a failed write: the next batch must go to a new one. */
  private mustRotate = false;
  private unsynced = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly counters = {
    appendedRows: 0,
    writes: 0,
    writeErrors: 0,
    fsyncs: 0,
    lastFsyncMs: 0,
    maxFsyncMs: 0,
    replayedRows: 0,
    unreadBytes: 0,
  };

  constructor(
    private readonly opts: JournalOptions,
    private readonly log: Log,
    /** What the requests of a failed group commit are rejected with (the API's 503). */
    private readonly refusal: (e: unknown) => unknown = (e) => e,
  ) {
    this.owner = opts.owner ?? currentOwner();
    this.dir = path.join(opts.root, ownerId(this.owner));
  }

  /** Creates this process's directory, claims journals of dead processes, opens the first segment, starts the fsync and heartbeat timers. */
  open(): void {
    mkdirSync(this.opts.root, { recursive: true, mode: DIR_MODE });
    chmodSync(path.dirname(this.opts.root), DIR_MODE);
    chmodSync(this.opts.root, DIR_MODE);
    const base = this.dir;
    for (let i = 2; inUse.has(this.dir); i++) this.dir = `${base}.i${i}`;
    inUse.add(this.dir);
    mkdirSync(this.dir, { recursive: true, mode: DIR_MODE });
    // Files already here were left by an earlier journal of this very process (closed with rows
    // outstanding): replay them like any orphan, and number the new files after them.
    for (const f of segmentFiles(this.dir)) {
      this.adopt({ path: path.join(this.dir, f), bytes: statSync(path.join(this.dir, f)).size, from: base });
      this.seq = Math.max(this.seq, Number.parseInt(f, 10) || 0);
    }
    this.claim();
    this.active = this.newSegment();
    const every = (ms: number, f: () => void) => {
      const t = setInterval(f, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.fsyncIntervalMs, () => this.syncActive());
    // Heartbeat for claimers on other hosts (a shared volume): they go by this directory's mtime.
    every(Math.max(1000, this.opts.staleAfterMs / 4), () => {
      const now = new Date();
      utimes(this.dir, now, now, () => undefined);
    });
  }

  /**
   * Queues one record (`rows` history rows) for the next group commit. The
   * promise resolves when it is in the file, rejects when the write failed.
   */
  append(build: BuildRecord, rows: number): { hold: Hold; written: Promise<void> } {
    const hold: Hold = { rows };
    // After close (shutdown): a late background row stays in memory only, as it would without a journal.
    if (this.closed) return { hold, written: Promise.resolve() };
    this.pending.push(build);
    this.pendingHolds.push(hold);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.commit());
    }
    if (!this.batch) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      // Callers that await it see the failure; one that does not (a background row) must not crash the process.
      promise.catch(() => undefined);
      this.batch = { promise, resolve, reject };
    }
    return { hold, written: this.batch.promise };
  }

  /** `rows` rows of a record were committed by the database (or moved to the dead-letter file). */
  release(hold: Hold | undefined, rows = 1): void {
    // After close the files belong to whoever replays them next; a late commit only means a harmless replay.
    if (!hold || this.closed) return;
    hold.rows -= rows;
    const seg = hold.seg;
    if (!seg) return;
    seg.outstanding -= rows;
    if (seg.reclaimable) this.reclaim(seg);
  }

  get accepting(): boolean {
    return acceptsNewRows(this.bytes, this.opts.maxBytes);
  }

  get bytes(): number {
    return this.diskBytes;
  }

  stats(): JournalStats {
    let outstanding = 0;
    for (const s of this.segments) outstanding += s.outstanding;
    return {
      bytes: this.bytes,
      budgetBytes: this.opts.maxBytes,
      accepting: this.accepting,
      outstandingRows: outstanding,
      segments: this.segments.size + this.orphans.length,
      replayPendingSegments: this.orphans.length,
      ...this.counters,
    };
  }

  /** Claims journals of processes that are gone (at open, and whenever the writer asks: a worker may have died). */
  claim(): number {
    const found = claimOrphans(
      this.opts.root,
      this.owner,
      ownerId(this.owner),
      this.opts.staleAfterMs,
      () => ++this.claims,
    );
    for (const o of found) this.adopt(o);
    if (found.length)
      this.log.warn(
        {
          segments: found.length,
          bytes: found.reduce((n, o) => n + o.bytes, 0),
          from: [...new Set(found.map((o) => o.from))],
        },
        'history journal left by a process that is gone: replaying its rows (idempotent: rows already committed are not written twice)',
      );
    return found.length;
  }

  get replayPending(): boolean {
    return this.orphans.length > 0;
  }

  /**
   * Reads the next adopted segment: its records, and `hold(rows)` to account
   * each one's rows against the segment; call `done()` once all are queued.
   */
  readAdopted():
    | {
        payloads: string[];
        /** Values the payloads refer to by index (see BuildRecord). */
        dict: string[];
        hold: (rows: number) => Hold;
        done: () => void;
        keepCopy: (unreadable: number) => void;
        from: string;
      }
    | undefined {
    const orphan = this.orphans.shift();
    if (!orphan) return undefined;
    let content: Buffer;
    try {
      content = readFileSync(orphan.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      this.diskBytes -= orphan.bytes;
      return this.readAdopted(); // gone meanwhile: replayed and deleted by its earlier owner
    }
    const seg = new Segment(orphan.path, orphan.bytes, true);
    this.segments.add(seg);
    const { payloads: frames, unreadBytes, validBytes } = decodeFrames(content);
    const { payloads, dict } = splitDictionary(frames);
    if (unreadBytes) {
      this.counters.unreadBytes += unreadBytes;
      this.log.warn(
        { file: orphan.path, validBytes, unreadBytes },
        'history journal segment ends in a torn record (the process died mid-write, or power was lost): it was never acknowledged, so nothing is lost; the rest is replayed',
      );
    }
    return {
      payloads,
      dict,
      from: orphan.from,
      hold: (rows) => {
        seg.outstanding += rows;
        this.counters.replayedRows += rows;
        return { seg, rows };
      },
      done: () => {
        seg.open = false;
        if (seg.reclaimable) this.reclaim(seg);
      },
      // Records that cannot be understood: the others are replayed, and a copy of the file is kept for a person.
      keepCopy: (unreadable) => {
        copyFileSync(seg.path, `${seg.path}.unreadable`);
        this.log.error(
          { file: `${seg.path}.unreadable`, unreadable },
          'history journal file holds records this version cannot read: the others are replayed, a copy is kept — check the service version that wrote it',
        );
      },
    };
  }

  /**
   * Graceful stop: writes what is pending, syncs and closes. When every row
   * has been committed the directory is removed; otherwise it stays, and the
   * next `serve` replays it.
   */
  close(): { keptRows: number; keptBytes: number } {
    for (const t of this.timers) clearInterval(t);
    if (this.pending.length) this.commit();
    this.closed = true;
    inUse.delete(this.dir);
    const { outstandingRows, bytes } = this.stats();
    for (const s of this.segments) {
      s.open = false;
      if (s.fd === undefined) continue;
      if (s.bytes > 0) fdatasyncSync(s.fd);
      this.closeIfSealed(s);
    }
    if (outstandingRows === 0 && this.orphans.length === 0) {
      for (const s of this.segments) this.unlink(s);
      removeDir(this.dir);
      return { keptRows: 0, keptBytes: 0 };
    }
    return { keptRows: outstandingRows, keptBytes: bytes };
  }

  /** The group commit: everything appended since the last one, in one write. */
  private commit(): void {
    this.scheduled = false;
    const payloads = this.pending;
    const holds = this.pendingHolds;
    const batch = this.batch;
    this.pending = [];
    this.pendingHolds = [];
    this.batch = undefined;
    if (!payloads.length) return batch?.resolve();
    try {
      this.write(payloads, holds);
    } catch (e) {
      this.counters.writeErrors++;
      this.log.error(
        { err: (e as Error).message, dir: this.dir, rows: holds.reduce((n, h) => n + h.rows, 0) },
        'history journal write failed: these requests are answered 503 (their rows stay queued for the database); check the disk under the data directory',
      );
      return batch?.reject(this.refusal(e));
    }
    batch?.resolve();
  }

  private write(payloads: BuildRecord[], holds: Hold[]): void {
    // A batch goes into one segment whole (it may end a little past segmentBytes): its records refer to that segment's dictionary.
    if (this.mustRotate || this.active.bytes >= this.opts.segmentBytes) {
      this.rotate();
      this.mustRotate = false;
    }
    const seg = this.active;
    const frames: string[] = [];
    const intern = (value: string): number => {
      let i = seg.dict.get(value);
      if (i === undefined) {
        seg.dict.set(value, (i = seg.dict.size));
        frames.push(dictRecord(i, value));
      }
      return i;
    };
    for (const build of payloads) frames.push(build(intern));
    const buf = encodeFrames(frames);
    try {
      writeAll(seg.fd!, buf);
    } catch (e) {
      // A partial record must not stay in front of later ones: cut it off. Either way nothing more is written
      // to this file: the next batch starts a new one (if it cannot, it is refused too), whose dictionary does
      // not count on definitions this batch failed to write.
      try {
        ftruncateSync(seg.fd!, seg.bytes);
      } catch {
        // The rotation is what keeps later records readable.
      }
      this.mustRotate = true;
      throw e;
    }
    seg.bytes += buf.length;
    this.diskBytes += buf.length;
    for (const h of holds) {
      h.seg = seg;
      seg.outstanding += h.rows;
      this.counters.appendedRows += h.rows;
    }
    this.counters.writes++;
    this.unsynced = true;
    // Rows committed by the database before this write (a flush faster than one turn) released nothing on disk.
    if (seg.reclaimable) this.reclaim(seg);
  }

  private newSegment(): Segment {
    const file = path.join(this.dir, `${String(++this.seq).padStart(10, '0')}${SEGMENT_SUFFIX}`);
    const seg = new Segment(file, 0, false);
    seg.fd = openSync(file, 'ax', FILE_MODE);
    this.segments.add(seg);
    // The new file's directory entry must survive a power loss too.
    this.syncDir();
    return seg;
  }

  /** Seals the active segment (synced, then closed) and starts the next. */
  private rotate(): void {
    const old = this.active;
    old.open = false;
    this.active = this.newSegment();
    if (this.unsynced) this.sync(old);
    else this.closeIfSealed(old);
    this.unsynced = false;
    if (old.reclaimable) this.reclaim(old);
  }

  private syncActive(): void {
    if (!this.unsynced || this.active.syncing > 0) return;
    this.unsynced = false;
    this.sync(this.active);
  }

  private sync(seg: Segment): void {
    if (seg.fd === undefined) return;
    const fd = seg.fd;
    seg.syncing++;
    const started = performance.now();
    fdatasync(fd, (err) => {
      seg.syncing--;
      const ms = performance.now() - started;
      this.counters.fsyncs++;
      this.counters.lastFsyncMs = Math.round(ms * 10) / 10;
      this.counters.maxFsyncMs = Math.max(this.counters.maxFsyncMs, this.counters.lastFsyncMs);
      if (err) {
        this.unsynced = true;
        this.log.error(
          { err: err.message, file: seg.path },
          'history journal fdatasync failed; retrying at the next interval',
        );
      }
      this.closeIfSealed(seg);
    });
  }

  private closeIfSealed(seg: Segment): void {
    if (seg.open || seg.syncing > 0 || seg.fd === undefined) return;
    const fd = seg.fd;
    seg.fd = undefined;
    closeFd(fd, () => undefined);
  }

  private syncDir(): void {
    try {
      const fd = openSync(this.dir, 'r');
      fsync(fd, () => closeFd(fd, () => undefined));
    } catch (e) {
      this.log.warn({ err: (e as Error).message, dir: this.dir }, 'history journal directory could not be synced');
    }
  }

  /** Every row of `seg` is committed: the active segment is emptied, any other deleted. A failure only leaves rows to replay. */
  private reclaim(seg: Segment): void {
    try {
      this.drop(seg);
    } catch (e) {
      this.log.warn(
        { err: (e as Error).message, file: seg.path },
        'history journal file could not be emptied or deleted; its rows will be replayed (harmlessly) by the next start',
      );
    }
  }

  private drop(seg: Segment): void {
    if (seg === this.active && seg.open) {
      ftruncateSync(seg.fd!, 0);
      this.diskBytes -= seg.bytes;
      seg.bytes = 0;
      seg.dict.clear();
      return;
    }
    this.unlink(seg);
    this.closeIfSealed(seg);
    if (seg.adopted) {
      const dir = path.dirname(seg.path);
      if (!this.orphans.some((o) => path.dirname(o.path) === dir) && segmentFiles(dir).length === 0) removeDir(dir);
    }
  }

  private adopt(o: Orphan): void {
    this.orphans.push(o);
    this.diskBytes += o.bytes;
  }

  private unlink(seg: Segment): void {
    if (!this.segments.delete(seg)) return;
    this.diskBytes -= seg.bytes;
    try {
      unlinkSync(seg.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

/** write(2) until every byte is in: a signal can cut a write to a regular file short. */
function writeAll(fd: number, buf: Buffer): void {
  let at = 0;
  while (at < buf.length) at += writeSync(fd, buf, at, buf.length - at);
}
