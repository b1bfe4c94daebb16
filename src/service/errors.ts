/**
 * An error the API answers with its envelope: HTTP status, stable code, safe
 * message, and `detail` for the client. `cause` is internal (a driver or
 * locator message can name hosts, ports and SQL): it goes to the service log
 * with the request id, never to the client.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: unknown,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

export const unavailable = (message: string, cause?: unknown): ApiError =>
  new ApiError(503, 'SERVICE_UNAVAILABLE', message, undefined, cause);
export const forbidden = (message: string): ApiError => new ApiError(403, 'FORBIDDEN', message);
export const notFound = (message: string): ApiError => new ApiError(404, 'NOT_FOUND', message);
