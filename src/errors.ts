import type { ErrorCode } from './errorCodes.js';

export type { ErrorCode } from './errorCodes.js';

/**
 * The one error type users see. `code` is one of ERROR_CODES (errorCodes.ts,
 * documented in docs/errors.md); `hint` says what to do next; `cause` keeps
 * the underlying failure for logs and `--verbose`.
 */
export class BillInquiryError extends Error {
  override readonly name = 'BillInquiryError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** One line: what went wrong, then what to do. */
  toLine(): string {
    return this.hint ? `${this.message} — ${this.hint}` : this.message;
  }
}

export const errorMessage = (e: unknown): string =>
  e instanceof BillInquiryError ? e.toLine() : e instanceof Error ? e.message : String(e);

/** The error code a user sees: ours, or INTERNAL for anything we did not raise ourselves. */
export const errorCode = (e: unknown): ErrorCode => (e instanceof BillInquiryError ? e.code : 'INTERNAL');

/**
 * The `cause` chain below an error, one line each, outermost first: what
 * `--verbose` prints. Stops at 10 links (a cycle must not hang the CLI). A
 * cause that is not an Error (e.g. a process result) is shown as JSON.
 */
export function causeChain(e: unknown): string[] {
  const lines: string[] = [];
  let cur = e instanceof Error ? e.cause : undefined;
  while (cur !== undefined && lines.length < 10) {
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      lines.push(`${cur.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${errorMessage(cur)}`);
      cur = cur.cause;
    } else {
      lines.push(describe(cur));
      cur = undefined;
    }
  }
  return lines;
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
