/**
 * Mobile line numbers as phonebill's API design has them: 010-NNNN-NNNN (every
 * Korean mobile number has been 010 since the 01X numbers were retired). The
 * API speaks dashed, KOS speaks digits, tokens may carry either.
 */
export const LINE_PATTERN = '^010-[0-9]{4}-[0-9]{4}$';

/** 01012345678 or 010-1234-5678 → 010-1234-5678; anything else → undefined. */
export function normalizeLine(input: string): string | undefined {
  const d = input.replace(/-/g, '');
  if (!/^010[0-9]{8}$/.test(d)) return undefined;
  return `${d.slice(0, 3)}-${d.slice(3, 7)}-${d.slice(7)}`;
}

export const lineDigits = (line: string): string => line.replace(/-/g, '');
