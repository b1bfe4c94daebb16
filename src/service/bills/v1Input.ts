import { normalizeLine } from './lineNumber.js';

/**
 * What phonebill's running code accepts (§8): a line with or without dashes (normalised),
 * `inquiryMonth` as YYYYMM — and, leniently, the design's YYYY-MM.
 */
export const V1_LINE_PATTERN = '^(010-[0-9]{4}-[0-9]{4}|010[0-9]{8})$';
export const V1_MONTH_PATTERN = '^[0-9]{4}-?(0[1-9]|1[0-2])$';

/** Either form (already validated by V1_LINE_PATTERN) → our 010-NNNN-NNNN. */
export const v1Line = (input: string): string => normalizeLine(input)!;

/** YYYYMM or YYYY-MM (validated by V1_MONTH_PATTERN) → YYYY-MM; absent stays absent (the current month). */
export const v1Month = (input: string | undefined): string | undefined =>
  input === undefined ? undefined : `${input.slice(0, 4)}-${input.slice(-2)}`;
