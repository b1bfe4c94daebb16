import {
  chmodSync,
  closeSync,
  existsSync,
  fdatasyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { ensureDir } from '../../system/osUser.js';
import type { HistoryUnit } from './records.js';

/** One request's rows the database refused, exactly as they were sent (encrypted columns stay encrypted), and why. */
export interface DeadLetterEntry extends HistoryUnit {
  at: string;
  sqlstate: string;
  message: string;
}

const FILE = 'dead-letter.jsonl';
const CLAIM_SUFFIX = '.replaying.jsonl';

/**
 * `<dataDir>/history/dead-letter.jsonl` (dir 0700, file 0600): one JSON line
 * per entry, appended by the service (opened per append, so a replay may move
 * the file away at any time). A replay claims the file by renaming it, and
 * appends back what it could not write; a claim left by an interrupted replay
 * is picked up by the next one.
 */
export class DeadLetterFile {
  readonly dir: string;
  readonly path: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'history');
    this.path = path.join(this.dir, FILE);
  }

  append(entries: readonly DeadLetterEntry[]): void {
    if (!entries.length) return;
    ensureDir(this.dir, 0o700);
    chmodSync(this.dir, 0o700);
    // Synced: once here, the rows leave the service's journal, so this file is their only copy.
    const fd = openSync(this.path, 'a', 0o600);
    try {
      writeFileSync(fd, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(this.path, 0o600);
  }

  /** Entries currently in the file (not claimed ones). */
  read(): DeadLetterEntry[] {
    return existsSync(this.path) ? parse(readFileSync(this.path, 'utf8')) : [];
  }

  /** Moves the file (and any earlier unfinished claim) aside; returns the entries, oldest first, and a release function. */
  claim(): { entries: DeadLetterEntry[]; release: () => void } {
    if (existsSync(this.path))
      renameSync(this.path, path.join(this.dir, `${Date.now()}-${process.pid}${CLAIM_SUFFIX}`));
    const files = existsSync(this.dir)
      ? readdirSync(this.dir)
          .filter((f) => f.endsWith(CLAIM_SUFFIX))
          .sort()
          .map((f) => path.join(this.dir, f))
      : [];
    return {
      entries: files.flatMap((f) => parse(readFileSync(f, 'utf8'))),
      release: () => files.forEach((f) => unlinkSync(f)),
    };
  }
}

const parse = (text: string): DeadLetterEntry[] =>
  text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as DeadLetterEntry);
