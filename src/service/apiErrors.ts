/**
 * Every error code the HTTP API answers, with its status: the one table. The
 * API's `ApiError` and the error handler accept only these codes (the type
 * checker refuses others), and docs/errors.md "API" is checked against it by
 * the unit tests. `design` marks the codes of phonebill's OpenAPI design
 * (bill-inquiry-service-api.yaml); the others are ours, more precise, in the
 * same envelope.
 */
export const API_ERRORS = {
  VALIDATION_ERROR: [
    400,
    true,
    'a parameter or the body does not match the API',
    'fix the field named in error.detail (all of them in error.fields)',
  ],
  MALFORMED_JSON: [400, false, 'the body is not JSON, or is empty', 'send a JSON object'],
  MONTH_OUT_OF_RANGE: [
    400,
    false,
    'inquiryMonth is in the future or older than bill.inquiry.available.months',
    'pick a month from GET /bills/menu availableMonths',
  ],
  BAD_REQUEST: [400, false, 'the HTTP request itself is malformed', 'fix the request (headers, content-length)'],
  UNAUTHORIZED: [
    401,
    true,
    'no Bearer token, or it is invalid, expired, or not an access token',
    'log in again and send Authorization: Bearer <access token>',
  ],
  FORBIDDEN: [403, true, "the line is not the caller's (not in the token)", 'ask for a line the token names'],
  NOT_FOUND: [
    404,
    true,
    'no such request id for this caller, no such route, or no customer for the line',
    'use a requestId from POST /bills/inquiry of the same user',
  ],
  LINE_NOT_FOUND: [404, false, 'KOS does not know the line number', 'check the line number'],
  BILL_NOT_FOUND: [404, false, 'KOS has no bill for the line and month', 'pick another month'],
  LINE_INACTIVE: [409, false, 'the line is suspended or terminated at KOS', 'the customer must reactivate the line'],
  PAYLOAD_TOO_LARGE: [413, false, 'the body is larger than service.bodyLimitBytes', 'send a smaller body'],
  UNSUPPORTED_MEDIA_TYPE: [415, false, 'the body is not application/json', 'send Content-Type: application/json'],
  INTERNAL_SERVER_ERROR: [
    500,
    true,
    'an unexpected error in the service',
    'retry later; the service log has the cause',
  ],
  KOS_ERROR: [
    502,
    false,
    'KOS answered with an error after the retries, or refused the request',
    "retry later; kos_inquiry_history has KOS's code",
  ],
  SERVICE_UNAVAILABLE: [
    503,
    true,
    'KOS breaker open, database unreachable, or the history backlog is full',
    'retry shortly',
  ],
  NOT_READY: [
    503,
    false,
    'GET /ready: the database primary is not reachable',
    'see error.detail and data; wait for failover',
  ],
  DRAINING: [
    503,
    false,
    'GET /ready and GET /accepting: this instance is shutting down (service.shutdownDrainMs)',
    'a load balancer takes it out; send requests to another instance',
  ],
  KOS_TIMEOUT: [504, false, 'KOS did not answer within kos.read.timeout.ms', 'retry later'],
} as const satisfies Record<string, readonly [status: number, design: boolean, meaning: string, action: string]>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export const apiStatus = (code: ApiErrorCode): number => API_ERRORS[code][0];
