import { randomInt } from 'node:crypto';
import type { Config } from '../../config/schema.js';
import { issueToken } from '../../service/auth/tokens.js';
import { sleep } from '../../system/poll.js';

/** An answer slower than this counts as failed: during a fault the service must answer 503 fast, not hang. */
const REQUEST_TIMEOUT_MS = 5000;
const ACKNOWLEDGED = new Set([200, 202]);
/** A client whose request failed waits this long before the next one (as a real client would back off). */
const RETRY_PAUSE_MS = 50;
/** Every `MISS_EVERY`th client asks for a line never asked before: a KOS call, so KOS faults are felt. */
const MISS_EVERY = 4;

export type InquiryKind = 'hit' | 'miss';

export interface Answer {
  status: number;
  requestId?: string;
  acknowledged: boolean;
  startedAt: number;
  ms: number;
}

/**
 * Inquiry clients against the service (POST /bills/inquiry, as the phonebill
 * front end sends it): most ask for their own line again and again (cache
 * hits after the first), every fourth for a fresh line each time (a KOS call).
 * Every answer is recorded; the request ids of acknowledged ones (200/202)
 * are what the database must hold at the end.
 */
export class InquiryLoad {
  readonly acknowledged: string[] = [];
  readonly answers: Answer[] = [];
  private stopping = false;
  private running: Promise<void>[] = [];
  private readonly hitTokens = new Map<number, { line: string; token: string }>();

  constructor(
    private readonly cfg: Readonly<Config>,
    private readonly url: () => string,
  ) {}

  start(clients: number): void {
    this.running = Array.from({ length: clients }, (_, i) => this.client(i));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  /** One inquiry, recorded like the clients' (the drill's recovery probes use it too). */
  async inquire(kind: InquiryKind, client = -1): Promise<Answer> {
    const { line, token } = kind === 'hit' ? this.hitLine(client) : this.freshLine();
    const startedAt = Date.now();
    let status = 0;
    let requestId: string | undefined;
    try {
      const res = await fetch(`${this.url()}/bills/inquiry`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ lineNumber: line }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      status = res.status;
      requestId = ((await res.json()) as { data?: { requestId?: string } }).data?.requestId;
    } catch {
      // refused, reset or timed out: status 0
    }
    const acknowledged = ACKNOWLEDGED.has(status) && !!requestId;
    const answer: Answer = {
      status,
      acknowledged,
      startedAt,
      ms: Date.now() - startedAt,
      ...(requestId ? { requestId } : {}),
    };
    this.answers.push(answer);
    if (acknowledged) this.acknowledged.push(requestId!);
    return answer;
  }

  private async client(i: number): Promise<void> {
    const kind: InquiryKind = i % MISS_EVERY === MISS_EVERY - 1 ? 'miss' : 'hit';
    while (!this.stopping) {
      const a = await this.inquire(kind, i);
      if (!a.acknowledged) await sleep(RETRY_PAUSE_MS);
    }
  }

  private hitLine(client: number) {
    let t = this.hitTokens.get(client);
    if (!t) {
      const line = `010-5556-${String(2001 + client + 1).padStart(4, '0')}`;
      t = { line, token: issueToken(this.cfg, { userId: `chaos-user-${client + 1}`, lines: [line] }) };
      this.hitTokens.set(client, t);
    }
    return t;
  }

  /** A line no client asked for yet (the mock's 0000/9999 endings, "unknown"/"no bills", avoided). */
  private freshLine() {
    const line = `010-77${randomInt(10, 100)}-${randomInt(1001, 9000)}`;
    return { line, token: issueToken(this.cfg, { userId: `chaos-miss-${line}`, lines: [line] }) };
  }
}
