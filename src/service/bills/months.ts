/** Inquiry months are YYYY-MM in the service's time zone (plan §4.1: Asia/Seoul). */
export const MONTH_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$';

const formatters = new Map<string, Intl.DateTimeFormat>();
const cached = new Map<string, { month: string; from: number; until: number }>();

/** The month of `now` in `timeZone`; memoized until the next month begins there (it is on the hot path). */
export function currentMonth(timeZone: string, now = new Date()): string {
  const t = now.getTime();
  const hit = cached.get(timeZone);
  if (hit && t >= hit.from && t < hit.until) return hit.month;
  let fmt = formatters.get(timeZone);
  if (!fmt)
    formatters.set(timeZone, (fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' })));
  const parts = fmt.formatToParts(now);
  const get = (k: string) => parts.find((p) => p.type === k)!.value;
  const month = `${get('year')}-${get('month')}`;
  const next = availableMonthsAfter(month);
  const offset = utcOffset(timeZone, now);
  cached.set(timeZone, {
    month,
    from: Date.parse(`${month}-01T00:00:00${offset}`),
    until: Date.parse(`${next}-01T00:00:00${offset}`),
  });
  return month;
}

const availableMonthsAfter = (month: string): string => {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};

/** The newest `count` months, newest first, ending at `current`. */
export function availableMonths(current: string, count: number): string[] {
  let y = Number(current.slice(0, 4));
  let m = Number(current.slice(5, 7));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m -= 1;
    if (m === 0) [y, m] = [y - 1, 12];
  }
  return out;
}

/** True when `month` is one of the newest `count` months ending at `current`. */
export function withinWindow(month: string, current: string, count: number): boolean {
  const idx = (s: string) => Number(s.slice(0, 4)) * 12 + Number(s.slice(5, 7)) - 1;
  const diff = idx(current) - idx(month);
  return diff >= 0 && diff < count;
}

export const kosMonth = (month: string): string => month.replace('-', '');

/** "+09:00" for Asia/Seoul: the offset used to turn calendar dates into instants. */
export function utcOffset(timeZone: string, at = new Date()): string {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}:\d{2})/.exec(name);
  return m ? m[1]! : '+00:00';
}
