import { BillInquiryError } from '../errors.js';

/** What `restore --to` asked for, as pgBackRest restore options. */
export type RestoreTarget =
  { kind: 'latest' } | { kind: 'time'; time: Date; text: string } | { kind: 'lsn'; lsn: string };

/** A trailing zone: Z, +09, +09:00 or +0900. */
const ZONE = /(Z|[+-]\d{2}(:?\d{2})?)$/i;
const LSN = /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i;

export function parseTarget(to: string): RestoreTarget {
  if (to === 'latest') return { kind: 'latest' };
  if (LSN.test(to)) return { kind: 'lsn', lsn: to.toUpperCase() };
  const time = new Date(to);
  if (!Number.isNaN(time.getTime()) && /^\d{4}-\d{2}-\d{2}/.test(to)) {
    if (!ZONE.test(to))
      throw new BillInquiryError(
        'BAD_TARGET',
        `--to "${to}" has no time zone`,
        'add one, e.g. "2026-11-24T10:15:00+09:00" (KST) or a trailing Z for UTC',
      );
    return { kind: 'time', time, text: to };
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
