/** Drill figures in JSON: seconds and percentages to `digits` decimals (2 by default). */
export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
