/**
 * The one error type users see. `hint` says what to do next; `cause` keeps the
 * underlying failure for logs and `--verbose`.
 */
export class BillInquiryError extends Error {
  override readonly name = 'BillInquiryError';
  constructor(
    readonly code: string,
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

export const fail = (code: string, message: string, hint?: string, cause?: unknown): never => {
  throw new BillInquiryError(code, message, hint, { cause });
};

export const errorMessage = (e: unknown): string =>
  e instanceof BillInquiryError ? e.toLine() : e instanceof Error ? e.message : String(e);
