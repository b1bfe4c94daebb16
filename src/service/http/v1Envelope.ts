import type { ApiErrorCode } from '../apiErrors.js';
import type { FieldProblem } from '../errors.js';

/**
 * The envelopes of phonebill's running code (/api/v1/bills, §8): errors as its
 * GlobalExceptionHandler writes them, `{success: false, error: {code, message, timestamp},
 * message, timestamp}`, with a Korean `message` — phonebill's page shows `message` to the
 * user as it is. Our English text (what went wrong, for an operator) goes to `error.detail`;
 * a validation error also lists its fields in `data` ({field: problem}), as the code does.
 */

/** What the user reads, per code: the type checker wants one for every code of the table. */
export const V1_MESSAGES: Record<ApiErrorCode, string> = {
  VALIDATION_ERROR: '입력값이 올바르지 않습니다. 회선번호와 조회월을 확인해 주세요.',
  MALFORMED_JSON: '요청 형식이 올바르지 않습니다. JSON 본문으로 보내 주세요.',
  MONTH_OUT_OF_RANGE: '조회할 수 없는 월입니다. 요금조회 메뉴의 조회 가능 월 중에서 선택해 주세요.',
  BAD_REQUEST: '잘못된 요청입니다.',
  UNAUTHORIZED: '인증이 필요합니다. 다시 로그인해 주세요.',
  FORBIDDEN: '본인 회선의 요금만 조회할 수 있습니다.',
  NOT_FOUND: '요청한 정보를 찾을 수 없습니다.',
  LINE_NOT_FOUND: '존재하지 않는 회선번호입니다.',
  BILL_NOT_FOUND: '해당 월의 요금 정보가 없습니다. 다른 월을 선택해 주세요.',
  LINE_INACTIVE: '비활성 상태의 회선입니다. 회선 상태를 확인해 주세요.',
  PAYLOAD_TOO_LARGE: '요청 본문이 너무 큽니다.',
  UNSUPPORTED_MEDIA_TYPE: '요청은 application/json 형식으로 보내 주세요.',
  INTERNAL_SERVER_ERROR: '일시적인 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.',
  KOS_ERROR: '요금 시스템(KOS) 오류로 조회하지 못했습니다. 잠시 후 다시 시도해 주세요.',
  SERVICE_UNAVAILABLE: '요금 조회 서비스를 일시적으로 이용할 수 없습니다. 잠시 후 다시 시도해 주세요.',
  NOT_READY: '서비스가 준비 중입니다. 잠시 후 다시 시도해 주세요.',
  DRAINING: '서비스 점검 중입니다. 잠시 후 다시 시도해 주세요.',
  KOS_TIMEOUT: '요금 시스템의 응답이 지연되고 있습니다. 잠시 후 다시 시도해 주세요.',
};

export function v1ErrorBody(code: ApiErrorCode, message: string, detail?: string, fields?: FieldProblem[]) {
  const timestamp = new Date().toISOString();
  return {
    success: false as const,
    error: {
      code,
      message: V1_MESSAGES[code],
      detail: detail === undefined ? message : `${message}: ${detail}`,
      timestamp,
    },
    message: V1_MESSAGES[code],
    timestamp,
    ...(fields ? { data: Object.fromEntries(fields.map((f) => [f.field, f.problem])) } : {}),
  };
}

/** The running code's success envelope for menu and history: `{success, data, message}` (message Korean). */
export const v1Ok = <T>(data: T, message: string) => ({ success: true as const, data, message });
