import { apiStatus, type ApiErrorCode } from './apiErrors.js';

/** One field-level problem of a request (VALIDATION_ERROR's `error.fields`). */
export interface FieldProblem {
  field: string;
  problem: string;
}

/**
 * An error the API answers with its envelope: a code of API_ERRORS (which
 * gives the status), a safe message, and `detail` for the client. `cause` is
 * internal (a driver or locator message can name hosts, ports and SQL): it
 * goes to the service log with the request id, never to the client.
 */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** error.detail: one human-readable string, as phonebill's API design has it. */
    readonly detail?: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.status = apiStatus(code);
  }
}

export const unavailable = (message: string, cause?: unknown): ApiError =>
  new ApiError('SERVICE_UNAVAILABLE', message, undefined, cause);
export const forbidden = (message: string): ApiError => new ApiError('FORBIDDEN', message);
export const notFound = (message: string, detail?: string): ApiError => new ApiError('NOT_FOUND', message, detail);
