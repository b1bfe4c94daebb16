import { causeChain, errorCode, errorMessage } from '../errors.js';

export interface OutputOptions {
  json?: boolean;
  /** Print the cause chain (and the stack) of a failure. */
  verbose?: boolean;
}

/** Prints a result: JSON for machines (`--json`), the human rendering otherwise. */
export function emit<T>(result: T, opts: OutputOptions, human: (r: T) => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${human(result)}\n`);
}

/** Progress for long work goes to stderr so stdout stays parseable. */
export const progress = (msg: string): void => {
  process.stderr.write(`… ${msg}\n`);
};

/**
 * One line on stderr (or a JSON error object on stdout with --json), and a
 * non-zero exit. With --verbose the cause chain follows, one `caused by:` line
 * per link (in JSON: `error.causes`), then the stack.
 */
export function reportError(e: unknown, opts: OutputOptions): number {
  const causes = opts.verbose ? causeChain(e) : [];
  if (opts.json) {
    const error = { code: errorCode(e), message: errorMessage(e), ...(opts.verbose ? { causes } : {}) };
    process.stdout.write(`${JSON.stringify({ ok: false, error })}\n`);
  } else {
    process.stderr.write(`error: ${errorMessage(e)}\n`);
    for (const c of causes) process.stderr.write(`  caused by: ${c}\n`);
  }
  if (opts.verbose && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  return 1;
}
