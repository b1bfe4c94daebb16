import type { ApiErrorCode } from '../apiErrors.js';
import type { FieldProblem } from '../errors.js';

/**
 * The API's envelopes (phonebill's OpenAPI design): `{success, data, message}`, or
 * `{success: false, error: {code, message, detail?, timestamp}}` — `detail` a string;
 * VALIDATION_ERROR adds every field-level problem in `error.fields`.
 */
export const ok = <T>(data: T, message = 'OK') => ({ success: true as const, data, message });

export const errorBody = (code: ApiErrorCode, message: string, detail?: string, fields?: FieldProblem[]) => ({
  success: false as const,
  error: {
    code,
    message,
    ...(detail === undefined ? {} : { detail }),
    timestamp: new Date().toISOString(),
    ...(fields ? { fields } : {}),
  },
});
