import { BillInquiryError } from '../errors.js';

/** What `restore --to` asked for, as pgBackRest restore options. */
export type RestoreTarget =
  { kind: 'latest' } | { kind: 'time'; time: Date; text: string } | { kind: 'lsn'; lsn: string };

/** A date and a time of day: a bare date would read its day as a "-24" zone. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
/** A trailing zone: Z, +09, +0900 or +09:00. */
const ZONE = /(Z|[+-]\d{2}(:?\d{2})?)$/i;
const LSN = /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i;

/** "+09" and "+0900" as "+09:00": the only numeric form JavaScript's Date parses. */
const isoZone = (to: string): string =>
  to.replace(/([+-]\d{2}):?(\d{2})?$/, (_, hours: string, minutes?: string) => `${hours}:${minutes ?? '00'}`);

export function parseTarget(to: string): RestoreTarget {
  if (to === 'latest') return { kind: 'latest' };
  if (LSN.test(to)) return { kind: 'lsn', lsn: to.toUpperCase() };
  if (DATE_TIME.test(to)) {
    if (!ZONE.test(to))
      throw new BillInquiryError(
        'BAD_TARGET',
        `--to "${to}" has no time zone`,
        'add one, e.g. "2026-11-24T10:15:00+09:00" (KST) or a trailing Z for UTC',
      );
    const time = new Date(isoZone(to));
    if (!Number.isNaN(time.getTime())) return { kind: 'time', time, text: to };
  }
  throw new BillInquiryError(
    'BAD_TARGET',
    `--to "${to}" is neither a timestamp, an LSN nor "latest"`,
    'e.g. --to "2026-11-24T10:15:00+09:00", --to 0/3000060 or --to latest',
  );
}

export function targetOptions(t: RestoreTarget): string[] {
  if (t.kind === 'latest') return ['--type=default'];
  // The user's text (it keeps microseconds a JS Date would drop), in the form
  // recovery_target_time accepts: a space, not "T", and +00 rather than "Z".
  const target = t.kind === 'time' ? t.text.replace('T', ' ').replace(/Z$/i, '+00') : t.lsn;
  return [`--type=${t.kind}`, `--target=${target}`, '--target-action=promote'];
}

/** LSN as a comparable number ("16/B374D848" → 0x16B374D848). */
export const lsnValue = (lsn: string): bigint => {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
};
