import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';

/** One message of the server log (the line that carries the severity; DETAIL/STATEMENT lines are skipped). */
export interface LogEvent {
  at: Date;
  level: string;
  message: string;
  /** The client's application_name (log_line_prefix `app=%a`), when the prefix carries it. */
  app?: string;
}

/** `%t [%p]: …` from the log_line_prefix of serverParameters.ts: local time in log_timezone, then the level. */
const LINE =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) \S+ \[\d+\]: (.*?)\b(DEBUG\d?|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC):\s+(.*)$/;
/** `app=%a` of the plan's log_line_prefix. */
const APP = /\bapp=([^,]*)/;

/** Authentication failures: what §8.1 counts as "실패한 연결". */
export const AUTH_FAILURE =
  /password authentication failed|no pg_hba\.conf entry|pg_hba\.conf rejects connection|role ".*" does not exist|certificate authentication failed/;

/**
 * Events since `since` from the daily log files under `<pgdata>/log` (logging_collector).
 * Only the last `tailBytes` of each file are read: with log_statement=all a day's log is large.
 */
export function readLogEvents(logDir: string, since: Date, timezone: string, tailBytes: number): LogEvent[] {
  if (!existsSync(logDir)) return [];
  const events: LogEvent[] = [];
  for (const file of logFiles(logDir, since)) {
    const size = statSync(file).size;
    for (const line of readRange(file, Math.max(0, size - tailBytes), size)
      .toString('utf8')
      .split('\n')) {
      const e = parseLine(line, timezone);
      if (e && e.at >= since) events.push(e);
    }
  }
  return events;
}

const logFiles = (logDir: string, since: Date): string[] =>
  readdirSync(logDir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => path.join(logDir, f))
    .filter((f) => statSync(f).mtimeMs >= since.getTime())
    .sort();

function parseLine(line: string, timezone: string): LogEvent | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const app = APP.exec(m[7]!)?.[1];
  return { at: zonedToUtc(m.slice(1, 7).map(Number), timezone), level: m[8]!, message: m[9]!, ...(app ? { app } : {}) };
}

/**
 * Follows the log files of one member for a long-running process (the
 * service's /metrics and /ops): each call reads only the bytes appended since
 * the previous one (the first, the last `tailBytes`) and parses only lines
 * holding `needle`. Re-reading a 16 MB tail every 5 s cost the service ~9 %
 * of its CPU under load with the plan's log_statement=all.
 */
export class LogFollower {
  private offsets = new Map<string, number>();

  constructor(
    private readonly logDir: string,
    private readonly timezone: string,
    private readonly tailBytes: number,
    private readonly needle: string,
  ) {}

  /** New events (lines holding the needle) in files written since `since`. */
  next(since: Date): LogEvent[] {
    if (!existsSync(this.logDir)) return [];
    const files = logFiles(this.logDir, since);
    const events: LogEvent[] = [];
    const offsets = new Map<string, number>();
    for (const file of files) {
      const size = statSync(file).size;
      const known = this.offsets.get(file);
      const start =
        known === undefined || known > size || size - known > this.tailBytes
          ? Math.max(0, size - this.tailBytes)
          : known;
      const chunk = readRange(file, start, size);
      // Only whole lines: a line being written is read next time.
      const end = chunk.lastIndexOf(10) + 1;
      offsets.set(file, start + end);
      for (const line of linesWith(chunk.toString('utf8', 0, end), this.needle)) {
        const e = parseLine(line, this.timezone);
        if (e && e.at >= since) events.push(e);
      }
    }
    this.offsets = offsets;
    return events;
  }
}

/**
 * Authentication failures of the last minute across snapshots of a
 * long-running process, from a LogFollower per member log directory.
 */
export class AuthFailureWatch {
  private readonly followers = new Map<string, LogFollower>();
  private recent: Date[] = [];

  constructor(
    private readonly timezone: string,
    private readonly tailBytes: number,
  ) {}

  lastMinute(logDirs: string[], now: Date): number {
    const since = new Date(now.getTime() - 60_000);
    for (const dir of logDirs) {
      let f = this.followers.get(dir);
      if (!f) this.followers.set(dir, (f = new LogFollower(dir, this.timezone, this.tailBytes, 'FATAL:')));
      for (const e of authFailures(f.next(since))) this.recent.push(e.at);
    }
    this.recent = this.recent.filter((at) => at >= since);
    return this.recent.length;
  }
}

function* linesWith(text: string, needle: string): Generator<string> {
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
    const from = text.lastIndexOf('\n', i) + 1;
    let to = text.indexOf('\n', i);
    if (to < 0) to = text.length;
    yield text.slice(from, to);
    i = to;
  }
}

/** Failed connection attempts in the window before `now`. */
export function authFailures(events: LogEvent[]): LogEvent[] {
  return events.filter((e) => e.level === 'FATAL' && AUTH_FAILURE.test(e.message));
}

function readRange(file: string, start: number, end: number): Buffer {
  const buf = Buffer.alloc(Math.max(0, end - start));
  if (!buf.length) return buf;
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  return buf;
}

/** Wall-clock fields in an IANA zone → the instant (the log writes local time with only an abbreviation). */
export function zonedToUtc([y, mo, d, h, mi, s]: number[], timeZone: string): Date {
  const guess = Date.UTC(y!, mo! - 1, d, h, mi, s);
  const fmt = formatter(timeZone);
  const offset = (at: number) => {
    const p = Object.fromEntries(fmt.formatToParts(new Date(at)).map((x) => [x.type, Number(x.value)])) as Record<
      string,
      number
    >;
    return Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second) - at;
  };
  return new Date(guess - offset(guess - offset(guess)));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Building a DateTimeFormat costs far more than using one: one per zone. */
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f)
    formatters.set(
      timeZone,
      (f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      })),
    );
  return f;
}
