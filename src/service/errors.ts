/** An error the API answers with its envelope: HTTP status, stable code, safe message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

export const unavailable = (message: string, detail?: unknown): ApiError =>
  new ApiError(503, 'SERVICE_UNAVAILABLE', message, detail);
export const forbidden = (message: string): ApiError => new ApiError(403, 'FORBIDDEN', message);
export const notFound = (message: string): ApiError => new ApiError(404, 'NOT_FOUND', message);
