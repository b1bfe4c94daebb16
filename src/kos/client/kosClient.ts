import { EventEmitter } from 'node:events';
import pRetry, { AbortError } from 'p-retry';
import { Agent, request } from 'undici';
import { KOS_PATHS, type BillInfo, type CustomerInfo, type KosResponse } from '../protocol.js';
import { BusinessAnswer, KosBreaker, type BreakerSettings, type BreakerState } from './breaker.js';

export interface KosClientSettings extends BreakerSettings {
  connectTimeoutMs: number;
  readTimeoutMs: number;
  retryAttempts: number;
  retryDelayMs: number;
}

export type KosOutcome = 'success' | 'failure' | 'timeout' | 'rejected';

/** One logical KOS call (all its attempts), as recorded in kos_inquiry_history. */
export interface KosCallRecord<T> {
  outcome: KosOutcome;
  response?: KosResponse<T>;
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

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * KOS over HTTP (undici): connect and read timeouts, retries with exponential
 * backoff (p-retry), each attempt through the circuit breaker. E001/E002 are
 * answers, not failures; E999, HTTP errors and timeouts are failures. Settings
 * come from system_config and can change at any time (`reconfigure`).
 * Emits 'call' {durationMs, outcome, resultCode}.
 */
export class KosClient extends EventEmitter {
  readonly breaker: KosBreaker;
  private agent: Agent;

  constructor(
    private readonly baseUrl: string,
    private settings: KosClientSettings,
    private readonly connections: number,
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

  billInquiry(digits: string, yyyymm: string): Promise<KosCallRecord<BillInfo>> {
    return this.call<BillInfo>(KOS_PATHS.billInquiry, { lineNumber: digits, inquiryMonth: yyyymm });
  }

  customerInfo(digits: string): Promise<KosCallRecord<CustomerInfo>> {
    return this.call<CustomerInfo>(KOS_PATHS.customerInfo, { lineNumber: digits });
  }

  async close(): Promise<void> {
    this.breaker.shutdown();
    await this.agent.destroy().catch(() => undefined);
  }

  private async call<T>(path: string, body: object): Promise<KosCallRecord<T>> {
    const startedAt = new Date();
    let attempts = 0;
    const finish = (outcome: KosOutcome, response?: KosResponse<T>, errorDetail?: string): KosCallRecord<T> => {
      const finishedAt = new Date();
      const rec = {
        outcome,
        response,
        errorDetail,
        retryCount: Math.max(0, attempts - 1),
        breakerState: this.breaker.state(),
        startedAt,
        finishedAt,
      };
      this.emit('call', {
        durationMs: finishedAt.getTime() - startedAt.getTime(),
        outcome,
        resultCode: response?.resultCode,
      });
      return rec;
    };
    try {
      const response = await pRetry(
        async () => {
          attempts += 1;
          try {
            return await this.breaker.fire(() => this.attempt<T>(path, body));
          } catch (e) {
            if (e instanceof BusinessAnswer) return e.response as KosResponse<T>;
            if ((e as { code?: string }).code === 'EOPENBREAKER') throw new AbortError(new KosUnavailable());
            throw e;
          }
        },
        { retries: this.settings.retryAttempts, minTimeout: this.settings.retryDelayMs, factor: 2, randomize: true },
      );
      return finish('success', response);
    } catch (e) {
      if (e instanceof KosUnavailable) return finish('rejected', undefined, e.message);
      return finish(
        e instanceof KosTimeout ? 'timeout' : 'failure',
        (e as { response?: KosResponse<T> }).response,
        errText(e),
      );
    }
  }

  /** One HTTP exchange: resolves on 0000, throws BusinessAnswer on E001/E002, throws on anything else. */
  private async attempt<T>(path: string, body: object): Promise<KosResponse<T>> {
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
    } catch (e) {
      if (TIMEOUT_CODES.has((e as { code?: string }).code ?? ''))
        throw new KosTimeout(`KOS did not answer within ${readTimeoutMs} ms`);
      throw e;
    }
    if (res.statusCode >= 500) {
      await res.body.dump();
      throw new Error(`KOS answered HTTP ${res.statusCode}`);
    }
    const answer = (await res.body.json()) as KosResponse<T>;
    if (answer.resultCode === '0000') return answer;
    if (answer.resultCode === 'E001' || answer.resultCode === 'E002') throw new BusinessAnswer(answer);
    throw Object.assign(new Error(`KOS ${answer.resultCode}: ${answer.resultMessage}`), { response: answer });
  }

  private newAgent(): Agent {
    return new Agent({ connect: { timeout: this.settings.connectTimeoutMs }, connections: this.connections });
  }
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
