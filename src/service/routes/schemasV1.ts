import { Type, type TSchema } from '@sinclair/typebox';
import { API_STATUSES } from '../bills/status.js';
import { V1_LINE_PATTERN, V1_MONTH_PATTERN } from '../bills/v1Input.js';
import { Month, Pagination, Status } from './schemas.js';

/**
 * TypeBox schemas of phonebill's running code's API (/api/v1/bills, phonebill-design-facts
 * §8): field names and types as its controller and the kos-mock's DTOs have them, which is
 * what phonebill's React frontend reads.
 */

const Digits = Type.String({ pattern: '^010[0-9]{8}$', description: '11 digits', examples: ['01012345678'] });
const Yyyymm = Type.String({ pattern: '^[0-9]{6}$', description: 'YYYYMM', examples: ['202612'] });
const Timestamp = Type.String({ format: 'date-time' });

export const V1InquiryBody = Type.Object({
  lineNumber: Type.String({
    pattern: V1_LINE_PATTERN,
    description: '010-NNNN-NNNN or 010NNNNNNNN',
    examples: ['010-1234-5678', '01012345678'],
  }),
  inquiryMonth: Type.Optional(
    Type.String({
      pattern: V1_MONTH_PATTERN,
      description: 'YYYYMM (also YYYY-MM); absent: the current month',
      examples: ['202612'],
    }),
  ),
});

export const V1BillInfo = Type.Object({
  lineNumber: Digits,
  billingMonth: Yyyymm,
  productCode: Type.String(),
  productName: Type.String(),
  monthlyFee: Type.Integer({ description: 'KRW' }),
  usageFee: Type.Integer({ description: 'KRW' }),
  discountAmount: Type.Integer({ description: 'KRW' }),
  totalFee: Type.Integer({ description: 'KRW' }),
  dataUsage: Type.String(),
  voiceUsage: Type.String(),
  smsUsage: Type.String(),
  billStatus: Type.String({ description: 'PENDING, CONFIRMED, PAID' }),
  dueDate: Type.String({ pattern: '^([0-9]{8})?$', description: "YYYYMMDD ('' when KOS reports none)" }),
});

export const V1CustomerInfo = Type.Object({
  customerName: Type.String(),
  customerId: Type.String(),
  operatorCode: Type.String(),
  lineStatus: Type.String({ description: 'ACTIVE, SUSPENDED, TERMINATED' }),
});

/** The kos-mock's envelope, which the running code's inquiry answers in (always with billInfo). */
export const V1InquiryEnvelope = Type.Object({
  success: Type.Literal(true),
  resultCode: Type.String(),
  resultMessage: Type.String(),
  data: Type.Object({
    requestId: Type.String(),
    procStatus: Type.Literal('COMPLETED'),
    resultCode: Type.String(),
    resultMessage: Type.String(),
    billInfo: V1BillInfo,
    customerInfo: V1CustomerInfo,
  }),
  timestamp: Timestamp,
  traceId: Type.Union([Type.String(), Type.Null()]),
});

export const V1ErrorEnvelope = Type.Object({
  success: Type.Literal(false),
  error: Type.Object({
    code: Type.String(),
    message: Type.String({ description: 'Korean, for the user (the same as message)' }),
    detail: Type.Optional(Type.String({ description: 'what went wrong, for an operator (English)' })),
    timestamp: Timestamp,
  }),
  message: Type.String({ description: 'Korean, what phonebill’s page shows' }),
  timestamp: Timestamp,
  /** VALIDATION_ERROR: {field: problem}. */
  data: Type.Optional(Type.Record(Type.String(), Type.String())),
});

export const v1Envelope = <T extends TSchema>(data: T) =>
  Type.Object({ success: Type.Literal(true), data, message: Type.String() });

export const V1Menu = Type.Object({
  customerInfo: Type.Object({ customerId: Type.String(), lineNumber: Type.String() }),
  availableMonths: Type.Array(Month),
  currentMonth: Month,
});

export const V1HistoryQuery = Type.Object({
  lineNumber: Type.Optional(Type.String({ pattern: V1_LINE_PATTERN, description: '010-NNNN-NNNN or 010NNNNNNNN' })),
  startDate: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD (inclusive, service time zone)' })),
  endDate: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD (inclusive)' })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
  size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  status: Type.Optional(Type.Unsafe<(typeof API_STATUSES)[number]>({ type: 'string', enum: [...API_STATUSES] })),
});

export const V1HistoryPage = Type.Object({
  items: Type.Array(
    Type.Object({
      requestId: Type.String(),
      lineNumber: Digits,
      inquiryMonth: Yyyymm,
      requestTime: Timestamp,
      processTime: Type.Optional(Timestamp),
      status: Status,
      resultSummary: Type.Optional(Type.String()),
    }),
  ),
  pagination: Pagination,
});
