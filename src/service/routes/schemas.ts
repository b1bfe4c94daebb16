import { Type, type TSchema } from '@sinclair/typebox';
import { LINE_PATTERN } from '../bills/lineNumber.js';
import { MONTH_PATTERN } from '../bills/months.js';
import { API_STATUSES } from '../bills/status.js';

/**
 * TypeBox schemas: Fastify validates requests with them and serializes
 * responses with them (fast-json-stringify). For the four /bills paths they are
 * a superset of phonebill's OpenAPI design (test/fixtures/phonebill-bill-inquiry-service-api.yaml,
 * checked by test/service-contract.test.ts): every path, status, required
 * property and enum value of the design is here, compatible.
 */

const DATE_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$';

/** A closed set of strings, as one `enum` (what the design writes), not a union of literals. */
const StringEnum = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

export const LineNumber = Type.String({
  pattern: LINE_PATTERN,
  description: '010-NNNN-NNNN',
  examples: ['010-1234-5678'],
});
export const Month = Type.String({ pattern: MONTH_PATTERN, description: 'YYYY-MM', examples: ['2026-10'] });

/** The API's status: a stored TIMEOUT is answered as FAILED (with its message). */
export const Status = StringEnum(API_STATUSES);

export const BillInfo = Type.Object({
  productName: Type.String(),
  contractInfo: Type.String(),
  billingMonth: Month,
  totalAmount: Type.Integer({ description: 'KRW' }),
  discountInfo: Type.Array(Type.Object({ name: Type.String(), amount: Type.Integer() })),
  usage: Type.Object({ voice: Type.String(), sms: Type.String(), data: Type.String() }),
  terminationFee: Type.Integer(),
  deviceInstallment: Type.Integer(),
  paymentInfo: Type.Optional(
    Type.Object({
      billingDate: Type.String({ format: 'date' }),
      paymentStatus: StringEnum(['PAID', 'UNPAID', 'OVERDUE']),
      paymentMethod: Type.String(),
    }),
  ),
});

export const ErrorEnvelope = Type.Object({
  success: Type.Literal(false),
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    detail: Type.Optional(Type.String()),
    timestamp: Type.Optional(Type.String({ format: 'date-time' })),
    /** VALIDATION_ERROR: every problem, by field. */
    fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), problem: Type.String() }))),
  }),
  /** GET /ready's state when not ready. */
  data: Type.Optional(Type.Unknown()),
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

export const InquiryAccepted = Type.Object({
  requestId: Type.String(),
  status: StringEnum(['PROCESSING']),
  estimatedTime: Type.String({ description: 'e.g. "30초" (service.processingEstimateSeconds)' }),
});

/**
 * Any string: an id that is not one of ours (we issue UUIDv7; phonebill's
 * REQ_… ids included) is simply not found — 404, as the design says.
 */
export const RequestParams = Type.Object({
  requestId: Type.String({ maxLength: 100, description: 'requestId returned by POST /bills/inquiry (a UUIDv7)' }),
});

const Timestamp = Type.String({ format: 'date-time' });

/** One inquiry as the history lists it. */
export const HistoryItem = Type.Object({
  requestId: Type.String(),
  lineNumber: Type.String(),
  inquiryMonth: Month,
  requestTime: Timestamp,
  processTime: Type.Optional(Timestamp),
  status: Status,
  resultSummary: Type.Optional(Type.String()),
});

/** One inquiry with its result, for GET /bills/inquiry/{requestId}. */
export const RequestDetail = Type.Composite([
  HistoryItem,
  Type.Object({
    progress: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 100, description: 'PROCESSING: share of estimatedTime elapsed' }),
    ),
    billInfo: Type.Optional(BillInfo),
    errorMessage: Type.Optional(Type.String({ description: 'FAILED: why' })),
  }),
]);

/** GET /bills/inquiry/{requestId}: a FAILED request answers `success: false` with its data, as the design's example. */
export const RequestEnvelope = Type.Object({ success: Type.Boolean(), data: RequestDetail, message: Type.String() });

export const HistoryQuery = Type.Object(
  {
    lineNumber: Type.Optional(LineNumber),
    startDate: Type.Optional(
      Type.String({ pattern: DATE_PATTERN, format: 'date', description: 'YYYY-MM-DD (inclusive, service time zone)' }),
    ),
    endDate: Type.Optional(
      Type.String({ pattern: DATE_PATTERN, format: 'date', description: 'YYYY-MM-DD (inclusive)' }),
    ),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);

/** The design's pagination; the running code's history answers the same object. */
export const Pagination = Type.Object({
  currentPage: Type.Integer(),
  totalPages: Type.Integer(),
  totalItems: Type.Integer(),
  pageSize: Type.Integer(),
  hasNext: Type.Boolean(),
  hasPrevious: Type.Boolean(),
});

export const HistoryPage = Type.Object({
  items: Type.Array(HistoryItem),
  pagination: Pagination,
});

/** A line of the token with what KOS tells of its customer (our addition to the menu). */
const LineSummary = Type.Object({
  customerId: Type.Union([Type.String(), Type.Null()]),
  lineNumber: Type.String(),
  customerName: Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
  operatorCode: Type.Optional(Type.String()),
});

export const Menu = Type.Object({
  customerInfo: Type.Object({ customerId: Type.String(), lineNumber: LineNumber }),
  lines: Type.Array(LineSummary),
  availableMonths: Type.Array(Month),
  currentMonth: Month,
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
  history: Type.Object({
    queued: Type.Integer(),
    failedFlushes: Type.Integer(),
    deadLettered: Type.Integer(),
    /** The durable journal (absent when service.history.journal.enabled is false); see JournalStats. */
    journal: Type.Optional(
      Type.Object({
        bytes: Type.Integer(),
        budgetBytes: Type.Integer(),
        accepting: Type.Boolean(),
        outstandingRows: Type.Integer(),
        segments: Type.Integer(),
        appendedRows: Type.Integer(),
        writes: Type.Integer(),
        writeErrors: Type.Integer(),
        fsyncs: Type.Integer(),
        lastFsyncMs: Type.Number(),
        maxFsyncMs: Type.Number(),
        replayedRows: Type.Integer(),
        replayPendingSegments: Type.Integer(),
        unreadBytes: Type.Integer(),
      }),
    ),
  }),
});
