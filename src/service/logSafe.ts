import { maskLine } from '../log.js';

const LINE_IN_TEXT = /01[016789]-?\d{3,4}-?\d{4}/g;

/** An error's message for the log, with any phone line number in it masked (database errors quote values). */
export const safeError = (e: unknown): string =>
  (e instanceof Error ? e.message : String(e)).replace(LINE_IN_TEXT, (m) => maskLine(m));
