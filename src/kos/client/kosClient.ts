import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pRetry, { AbortError } from 'p-retry';
import { Agent, request } from 'undici';
import type { CustomerInfo, KosAnswer } from '../protocol.js';
import type { KosProtocolAdapter } from '../protocols/index.js';
import type { WireAnswer } from '../protocols/adapter.js';
import { KosBreaker, type BreakerSettings, type BreakerState } from './breaker.js';

export interface KosClientSettings extends BreakerSettings {
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** Retries after the first try (`kos.retry.max.attempts`: "KOS 최대 재시도 횟수" in phonebill's schema script). */
  maxRetries: number;
  retryDelayMs: number;
}

export type KosOutcome = 'success' | 'failure' | 'timeout' | 'rejected';

/** One logical KOS call (all its attempts), as recorded in kos_inquiry_history. */
export interface KosCallRecord {
  outcome: KosOutcome;
  /** KOS's last answer, mapped by the protocol adapter (absent after a timeout, a network error or a refusal). */
  answer?: KosAnswer;
  errorDetail?: string;
  retryCount: number;
  breakerState: BreakerState;
  startedAt: Date;
  finishedAt: Date;
}

/** The breaker refused the call (open): answer 503 at once. */
export class KosUnavailable extends Error {
  constructor() {
    super('KOS circuit breaker is open');
  }
}

class KosTimeout extends Error {}

/** KOS failed (system error, HTTP 5xx, unreadable answer): counted by the breaker, retried. */
class KosFailure extends Error {
  constructor(
    message: string,
    readonly answer?: KosAnswer,
  ) {
    super(message);
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * KOS over HTTP (undici) through a protocol adapter: connect and read
 * timeouts, retries with exponential backoff (p-retry), each attempt through
 * the circuit breaker. What an answer means is the adapter's call: only
 * failures (system errors, HTTP 5xx, timeouts, network errors) are retried and
 * counted by the breaker; business answers (unknown line, no data) and refused
 * requests are not. Settings come from system_config and can change at any
 * time (`reconfigure`). Emits 'call' {durationMs, outcome, resultCode}.
 */
export class KosClient extends EventEmitter {
  readonly breaker: KosBreaker;
  private agent: Agent;

  constructor(
    private readonly baseUrl: string,
    readonly adapter: KosProtocolAdapter,
    private settings: KosClientSettings,
    private readonly connections: number,
    /** Who asks (the kos-mock's `requestorId`). */
    private readonly requestorId = 'BILL_SERVICE',
  ) {
    super();
    this.breaker = new KosBreaker(settings);
    this.agent = this.newAgent();
  }

  reconfigure(next: KosClientSettings): void {
    const reconnect = next.connectTimeoutMs !== this.settings.connectTimeoutMs;
    this.settings = next;
    this.breaker.reconfigure(next);
    if (reconnect) {
      const old = this.agent;
      this.agent = this.newAgent();
      void old.close().catch(() => undefined);
    }
  }

  /** The bill of a line (digits) and month (YYYYMM); `requestId` travels to KOS where the protocol has one. */
  async billInquiry(digits: string, yyyymm: string, requestId: string): Promise<KosCallRecord> {
    const body = this.adapter.billRequest({ digits, yyyymm, requestId, requestorId: this.requestorId });
    const rec = await this.call(this.adapter.billPath, body, (w) => {
      const answer = this.adapter.readBill(w, digits);
      if (answer.kind === 'systemError')
        throw new KosFailure(`KOS ${answer.resultCode}: ${answer.resultMessage}`, answer);
      return answer;
    });
    // KOS refused our request: it is up (nothing counted), but this inquiry has failed.
    if (rec.value?.kind === 'badRequest') return this.finish(rec, 'failure', rec.value);
    return this.finish(rec, rec.outcome, rec.value ?? rec.failed);
  }

  /**
   * Customer info of a line, as the protocol provides it: from an endpoint of
   * its own, or from the customerInfo of the bill of `yyyymm` (the kos-mock).
   * `customer` is undefined when KOS does not know the line or failed (`outcome`).
   */
  async customerInfo(digits: string, yyyymm: string): Promise<{ customer?: CustomerInfo; outcome: KosOutcome }> {
    const via = this.adapter.customer;
    if (via === 'bill') {
      const rec = await this.billInquiry(digits, yyyymm, `customer-${randomUUID()}`);
      return { customer: rec.answer?.customer, outcome: rec.outcome };
    }
    const rec = await this.call(via.path, via.request(digits), (w) => {
      if (w.status >= 500) throw new KosFailure(`KOS answered HTTP ${w.status}`);
      return via.read(w, digits);
    });
    this.emitCall(rec.outcome, rec.startedAt, rec.value ? '0000' : undefined);
    return { customer: rec.value, outcome: rec.outcome };
  }

  async close(): Promise<void> {
    this.breaker.shutdown();
    await this.agent.destroy().catch(() => undefined);
  }

  private finish(
    rec: Omit<KosCallRecord, 'outcome' | 'answer'>,
    outcome: KosOutcome,
    answer: KosAnswer | undefined,
  ): KosCallRecord {
    this.emitCall(outcome, rec.startedAt, answer?.resultCode);
    const { errorDetail, retryCount, breakerState, startedAt, finishedAt } = rec;
    return {
      outcome,
      ...(answer ? { answer } : {}),
      ...(errorDetail !== undefined ? { errorDetail } : {}),
      retryCount,
      breakerState,
      startedAt,
      finishedAt,
    };
  }

  private emitCall(outcome: KosOutcome, startedAt: Date, resultCode: string | undefined): void {
    this.emit('call', { durationMs: Date.now() - startedAt.getTime(), outcome, resultCode });
  }

  /** All attempts of one call; `judge` turns an HTTP answer into a value or throws a KosFailure. */
  private async call<T>(
    path: string,
    body: object,
    judge: (w: WireAnswer) => T,
  ): Promise<Omit<KosCallRecord, 'answer'> & { value?: T; failed?: KosAnswer }> {
    const startedAt = new Date();
    let attempts = 0;
    let lastFailure: unknown;
    const done = (outcome: KosOutcome, extra: { value?: T; failed?: KosAnswer; errorDetail?: string } = {}) => ({
      outcome,
      ...extra,
      retryCount: Math.max(0, attempts - 1),
      breakerState: this.breaker.state(),
      startedAt,
      finishedAt: new Date(),
    });
    try {
      const value = await pRetry(
        async () => {
          attempts += 1;
          try {
            return await this.breaker.fire(async () => judge(await this.exchange(path, body)));
          } catch (e) {
            if ((e as { code?: string }).code === 'EOPENBREAKER') throw new AbortError(new KosUnavailable());
            lastFailure = e;
            throw e;
          }
        },
        {
          retries: this.settings.maxRetries,
          minTimeout: this.settings.retryDelayMs,
          factor: 2,
          randomize: true,
        },
      );
      return done('success', { value });
    } catch (caught) {
      // The breaker opened during this call's own retries: KOS failed it, the breaker only cut it short.
      const e = caught instanceof KosUnavailable && lastFailure ? lastFailure : caught;
      if (e instanceof KosUnavailable) return done('rejected', { errorDetail: e.message });
      return done(e instanceof KosTimeout ? 'timeout' : 'failure', {
        errorDetail: errText(e),
        ...(e instanceof KosFailure && e.answer ? { failed: e.answer } : {}),
      });
    }
  }

  /** One HTTP exchange; the answer whatever its status (the adapter judges it), or a timeout / network error. */
  private async exchange(path: string, body: object): Promise<WireAnswer> {
    const { readTimeoutMs } = this.settings;
    let res;
    try {
      res = await request(new URL(path, this.baseUrl), {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        headersTimeout: readTimeoutMs,
        bodyTimeout: readTimeoutMs,
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: parseJson(text) };
    } catch (e) {
      if (TIMEOUT_CODES.has((e as { code?: string }).code ?? ''))
        throw new KosTimeout(`KOS did not answer within ${readTimeoutMs} ms`);
      throw e;
    }
  }

  private newAgent(): Agent {
    return new Agent({ connect: { timeout: this.settings.connectTimeoutMs }, connections: this.connections });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
