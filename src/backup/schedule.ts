import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { dumpContainerConfigured } from '../azure/clients/dumpContainer.js';

export const CRON_FILE = '/etc/cron.d/bill-inquiry-backup';
const DAY_MIN = 1440;

/** Minutes east of UTC of `timeZone` at `at`. */
export function utcOffsetMinutes(timeZone: string, at: Date): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
  );
  return Math.round((local - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/**
 * `HH:MM` on `weekday` in the plan's zone as minute, hour and weekday of the
 * host's zone (cron runs in the host's local time; Debian cron has no CRON_TZ).
 */
export function toHostTime(hhmm: string, weekday: number, planZone: string, hostZone: string, at: Date) {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const shift = utcOffsetMinutes(hostZone, at) - utcOffsetMinutes(planZone, at);
  const total = weekday * DAY_MIN + h * 60 + m + shift;
  const wrapped = ((total % (7 * DAY_MIN)) + 7 * DAY_MIN) % (7 * DAY_MIN);
  return { minute: wrapped % 60, hour: Math.floor(wrapped / 60) % 24, weekday: Math.floor(wrapped / DAY_MIN) };
}

/**
 * The §9.1 schedule as crontab lines: full on the configured weekday and diff
 * on the other six at dailyAt, the weekly logical dump at logicalAt — all in
 * the plan's timezone (KST) converted to the host's.
 */
export function scheduleLines(
  cfg: Readonly<Config>,
  opts: { config?: string; hostZone?: string; at?: Date; cli?: string } = {},
): string[] {
  const s = cfg.backup.schedule;
  const hostZone = opts.hostZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const at = opts.at ?? new Date();
  const cli = opts.cli ?? `${process.execPath} ${path.resolve(process.argv[1] ?? 'bin/bill-inquiry.mjs')}`;
  const base = `${cli} --data-dir ${cfg.dataDir}${opts.config ? ` --config ${path.resolve(opts.config)}` : ''}`;
  const log = path.join(cfg.dataDir, 'backup', 'log', 'cron.log');
  const line = (hhmm: string, weekdays: number[], command: string) => {
    const times = weekdays.map((d) => toHostTime(hhmm, d, s.timezone, hostZone, at));
    const days = times
      .map((t) => t.weekday)
      .sort((a, b) => a - b)
      .join(',');
    return `${times[0]!.minute} ${times[0]!.hour} * * ${days} ${base} ${command} >> ${log} 2>&1`;
  };
  const others = [0, 1, 2, 3, 4, 5, 6].filter((d) => d !== s.fullOnWeekday);
  return [
    `# bill-inquiry backups (plan §9.1), ${s.timezone} times converted to this host's ${hostZone} (UTC${fmtOffset(utcOffsetMinutes(hostZone, at))}); regenerate after a DST change`,
    line(s.dailyAt, [s.fullOnWeekday], 'backup run --type full'),
    line(s.dailyAt, others, 'backup run --type diff'),
    // With a Blob container configured the weekly dump goes there (§9.1: kept in Blob Storage), not to this disk.
    line(s.logicalAt, [s.logicalWeekday], dumpContainerConfigured(cfg) ? 'backup logical --upload' : 'backup logical'),
  ];
}

/** Writes the lines as /etc/cron.d/bill-inquiry-backup (cron.d lines carry the user: root). */
export function installSchedule(lines: string[], file = CRON_FILE): string {
  const body = lines.map((l) => (l.startsWith('#') ? l : l.replace(/^((?:\S+\s+){5})/, '$1root '))).join('\n');
  writeFileSync(file, `SHELL=/bin/sh\nPATH=/usr/local/bin:/usr/bin:/bin\n${body}\n`, { mode: 0o644 });
  return file;
}

const fmtOffset = (min: number) =>
  `${min < 0 ? '-' : '+'}${String(Math.floor(Math.abs(min) / 60)).padStart(2, '0')}:${String(Math.abs(min) % 60).padStart(2, '0')}`;
