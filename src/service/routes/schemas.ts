import { Type, type TSchema } from '@sinclair/typebox';
import { LINE_PATTERN } from '../bills/lineNumber.js';
import { MONTH_PATTERN } from '../bills/months.js';

/** TypeBox schemas: Fastify validates requests with them and serializes responses with them (fast-json-stringify). */

export const UUID_V7_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';
const DATE_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$';

export const LineNumber = Type.String({
  pattern: LINE_PATTERN,
  description: '010-NNNN-NNNN',
  examples: ['010-1234-5678'],
});
export const Month = Type.String({ pattern: MONTH_PATTERN, description: 'YYYY-MM', examples: ['2026-10'] });
export const Status = Type.Union([
  Type.Literal('PROCESSING'),
  Type.Literal('COMPLETED'),
  Type.Literal('FAILED'),
  Type.Literal('TIMEOUT'),
]);

export const BillInfo = Type.Object({
  productName: Type.String(),
  contractInfo: Type.String(),
  billingMonth: Type.String(),
  totalAmount: Type.Number(),
  discountInfo: Type.Array(Type.Object({ name: Type.String(), amount: Type.Number() })),
  usage: Type.Object({ voice: Type.String(), sms: Type.String(), data: Type.String() }),
  terminationFee: Type.Number(),
  deviceInstallment: Type.Number(),
  paymentInfo: Type.Object({ billingDate: Type.String(), paymentStatus: Type.String(), paymentMethod: Type.String() }),
});

export const ErrorEnvelope = Type.Object({
  success: Type.Literal(false),
  error: Type.Object({ code: Type.String(), message: Type.String(), detail: Type.Optional(Type.Unknown()) }),
});

export const envelope = <T extends TSchema>(data: T) =>
  Type.Object({ success: Type.Literal(true), data, message: Type.String() });

export const InquiryBody = Type.Object(
  { lineNumber: LineNumber, inquiryMonth: Type.Optional(Month) },
  { additionalProperties: false },
);

export const InquiryResult = Type.Object({
  requestId: Type.String(),
  status: Status,
  billInfo: Type.Optional(BillInfo),
});

export const RequestParams = Type.Object({
  requestId: Type.String({ pattern: UUID_V7_PATTERN, description: 'UUIDv7 returned by POST /bills/inquiry' }),
});

/** One inquiry as the history lists it. */
export const HistoryItem = Type.Object({
  requestId: Type.String(),
  lineNumber: Type.String(),
  inquiryMonth: Type.String(),
  status: Status,
  requestTime: Type.String({ format: 'date-time' }),
  processTime: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  resultSummary: Type.Union([Type.String(), Type.Null()]),
});

/** One inquiry with its result, for GET /bills/inquiry/{requestId}. */
export const RequestDetail = Type.Composite([
  HistoryItem,
  Type.Object({ billInfo: Type.Optional(BillInfo), errorMessage: Type.Union([Type.String(), Type.Null()]) }),
]);

export const HistoryQuery = Type.Object(
  {
    lineNumber: Type.Optional(LineNumber),
    startDate: Type.Optional(
      Type.String({ pattern: DATE_PATTERN, description: 'YYYY-MM-DD (inclusive, service time zone)' }),
    ),
    endDate: Type.Optional(Type.String({ pattern: DATE_PATTERN, description: 'YYYY-MM-DD (inclusive)' })),
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
    size: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);

export const HistoryPage = Type.Object({
  items: Type.Array(HistoryItem),
  pagination: Type.Object({
    currentPage: Type.Integer(),
    totalPages: Type.Integer(),
    totalItems: Type.Integer(),
    pageSize: Type.Integer(),
    hasNext: Type.Boolean(),
    hasPrevious: Type.Boolean(),
  }),
});

const CustomerSummary = Type.Object({
  customerId: Type.Union([Type.String(), Type.Null()]),
  lineNumber: Type.String(),
  customerName: Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
  operatorCode: Type.Optional(Type.String()),
});

export const Menu = Type.Object({
  customerInfo: CustomerSummary,
  lines: Type.Array(CustomerSummary),
  availableMonths: Type.Array(Type.String()),
  currentMonth: Type.String(),
});

export const Ready = Type.Object({
  ready: Type.Boolean(),
  /** plain | ha | external: where the service finds its database. */
  topology: Type.String(),
  draining: Type.Optional(Type.Boolean()),
  primary: Type.Object({
    reachable: Type.Boolean(),
    endpoint: Type.Optional(Type.String()),
    error: Type.Optional(Type.String()),
  }),
  replica: Type.Object({ state: Type.String(), lagMs: Type.Optional(Type.Union([Type.Number(), Type.Null()])) }),
  breaker: Type.String(),
  history: Type.Object({ queued: Type.Integer(), failedFlushes: Type.Integer(), deadLettered: Type.Integer() }),
});
