/** Korean mobile line numbers: 010-NNNN-NNNN (also 01X-NNN-NNNN). The API speaks dashed, KOS speaks digits. */
export const LINE_PATTERN = '^01[016789]-[0-9]{3,4}-[0-9]{4}$';
const LINE_RE = new RegExp(LINE_PATTERN);

/** 01012345678 or 010-1234-5678 → 010-1234-5678; anything else → undefined. */
export function normalizeLine(input: string): string | undefined {
  if (LINE_RE.test(input)) return input;
  const d = input.replace(/-/g, '');
  if (!/^01[016789][0-9]{7,8}$/.test(d)) return undefined;
  return `${d.slice(0, 3)}-${d.slice(3, d.length - 4)}-${d.slice(-4)}`;
}

export const lineDigits = (line: string): string => line.replace(/-/g, '');
