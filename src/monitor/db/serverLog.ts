import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';

/** One message of the server log (the line that carries the severity; DETAIL/STATEMENT lines are skipped). */
export interface LogEvent {
  at: Date;
  level: string;
  message: string;
}

/** `%t [%p]: …` from the log_line_prefix of serverParameters.ts: local time in log_timezone, then the level. */
const LINE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) \S+ \[\d+\]: .*?\b(DEBUG\d?|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC):\s+(.*)$/;

/** Authentication failures: what §8.1 counts as "실패한 연결". */
export const AUTH_FAILURE = /password authentication failed|no pg_hba\.conf entry|pg_hba\.conf rejects connection|role ".*" does not exist|certificate authentication failed/;

/**
 * Events since `since` from the daily log files under `<pgdata>/log` (logging_collector).
 * Only the last `tailBytes` of each file are read: with log_statement=all a day's log is large.
 */
export function readLogEvents(logDir: string, since: Date, timezone: string, tailBytes: number): LogEvent[] {
  if (!existsSync(logDir)) return [];
  const files = readdirSync(logDir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => path.join(logDir, f))
    .filter((f) => statSync(f).mtimeMs >= since.getTime())
    .sort();
  const events: LogEvent[] = [];
  for (const file of files) {
    for (const line of tail(file, tailBytes).split('\n')) {
      const m = LINE.exec(line);
      if (!m) continue;
      const at = zonedToUtc(m.slice(1, 7).map(Number), timezone);
      if (at >= since) events.push({ at, level: m[7]!, message: m[8]! });
    }
  }
  return events;
}

/** Failed connection attempts in the window before `now`. */
export function authFailures(events: LogEvent[]): LogEvent[] {
  return events.filter((e) => e.level === 'FATAL' && AUTH_FAILURE.test(e.message));
}

function tail(file: string, bytes: number): string {
  const size = statSync(file).size;
  const start = Math.max(0, size - bytes);
  const buf = Buffer.alloc(size - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8');
}

/** Wall-clock fields in an IANA zone → the instant (the log writes local time with only an abbreviation). */
export function zonedToUtc([y, mo, d, h, mi, s]: number[], timeZone: string): Date {
  const guess = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  const offset = (at: number) => {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
        .formatToParts(new Date(at))
        .map((x) => [x.type, Number(x.value)]),
    ) as Record<string, number>;
    return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - at;
  };
  return new Date(guess - offset(guess - offset(guess)));
}
