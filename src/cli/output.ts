import { BillInquiryError, errorMessage } from '../errors.js';

export interface OutputOptions {
  json?: boolean;
}

/** Prints a result: JSON for machines (`--json`), the human rendering otherwise. */
export function emit<T>(result: T, opts: OutputOptions, human: (r: T) => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${human(result)}\n`);
}

/** Progress for long work goes to stderr so stdout stays parseable. */
export const progress = (msg: string): void => {
  process.stderr.write(`… ${msg}\n`);
};

/** One line on stderr (or a JSON error object on stdout with --json), and a non-zero exit. */
export function reportError(e: unknown, opts: OutputOptions): number {
  if (opts.json) {
    const code = e instanceof BillInquiryError ? e.code : 'ERROR';
    process.stdout.write(`${JSON.stringify({ ok: false, error: { code, message: errorMessage(e) } })}\n`);
  } else {
    process.stderr.write(`error: ${errorMessage(e)}\n`);
  }
  if (process.env.BILL_INQUIRY_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return 1;
}
