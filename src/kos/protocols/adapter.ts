import type { CustomerInfo, KosAnswer, KosProtocolName } from '../protocol.js';

/** One HTTP answer as the client received it. */
export interface WireAnswer {
  status: number;
  /** Parsed JSON, or undefined when the body was not JSON. */
  body: unknown;
}

/**
 * The client side of one KOS wire protocol: how a request is written and what
 * an answer means (src/kos/protocol.ts KosAnswerKind). The client does the
 * transport, timeouts, retries and breaker; the adapter only translates.
 */
export interface KosProtocolAdapter {
  readonly name: KosProtocolName;
  /** Path of the bill inquiry, appended to `service.kosUrl` (the server root). */
  readonly billPath: string;
  billRequest(q: { digits: string; yyyymm: string; requestId: string; requestorId: string }): object;
  readBill(answer: WireAnswer, digits: string): KosAnswer;
  /**
   * Where customer info comes from: an endpoint of its own, or (`bill`) the
   * customerInfo the protocol sends with every bill answer.
   */
  readonly customer:
    | {
        path: string;
        request(digits: string): object;
        /** The customer; undefined when KOS does not know the line (or has no such endpoint: HTTP 404). */
        read(answer: WireAnswer, digits: string): CustomerInfo | undefined;
      }
    | 'bill';
}

/** An answer that carries no result code of its own: classified by its HTTP status. */
export function byStatus(answer: WireAnswer, message: string): KosAnswer {
  return {
    kind: answer.status >= 400 && answer.status < 500 ? 'badRequest' : 'systemError',
    resultCode: `HTTP ${answer.status}`,
    resultMessage: message,
    data: answer.body ?? null,
  };
}
