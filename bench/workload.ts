/**
 * The bench's users, tokens and lines, and the warm-up that gives them cached
 * bills and history through the service's own API (so every row it leaves
 * is an acknowledged inquiry, counted against the stored rows at the end).
 */
import { writeFileSync } from 'node:fs';
import { Pool } from 'undici';
import type { Config } from '../src/config/schema.js';
import { issueToken } from '../src/service/auth/tokens.js';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';

const TOKEN_TTL_S = 6 * 3600;
/** Lines ending 0000 (unknown to KOS) and 9999 (no bills) are skipped: 1..9998 per block of 10,000. */
const PER_BLOCK = 9998;

/** The n-th line of a range: 010-<prefix+block>-<0001..9998>. */
export function lineAt(prefix: number, n: number): string {
  const block = Math.floor(n / PER_BLOCK);
  return `010-${String(prefix + block).padStart(4, '0')}-${String((n % PER_BLOCK) + 1).padStart(4, '0')}`;
}

export const USERS = {
  hit: 'bench-hit',
  history: 'bench-history',
  miss: 'bench-miss',
  openLoop: 'bench-ol-',
  openLoopMiss: 'bench-olmiss',
} as const;

export class Workload {
  readonly months: string[];
  readonly hitLine = '010-1000-2000';
  readonly hitToken: string;
  readonly historyToken: string;
  /** Acknowledged (2xx) inquiries made by the warm-up, per user set. */
  readonly warmAcked = { hit: 0, history: 0, openLoop: 0 };

  constructor(private readonly cfg: Readonly<Config>) {
    this.months = availableMonths(currentMonth(cfg.database.timezone), cfg.systemConfig.inquiryAvailableMonths);
    this.hitToken = this.token(USERS.hit, this.hitLine);
    this.historyToken = this.token(USERS.history, this.hitLine);
  }

  token(userId: string, line: string): string {
    return issueToken(this.cfg, { userId, lines: [line], ttlSeconds: TOKEN_TTL_S });
  }

  hitBody(month = this.months[0]!): string {
    return JSON.stringify({ lineNumber: this.hitLine, inquiryMonth: month });
  }

  /** A "token<TAB>line" file of `count` miss lines from `prefix` (each line asked for every month: count × months misses). */
  writeMissPairs(file: string, userId: string, prefix: number, count: number): void {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const line = lineAt(prefix, i);
      out.push(`${this.token(userId, line)}\t${line}`);
    }
    writeFileSync(file, `${out.join('\n')}\n`, { mode: 0o600 });
  }

  /** Open-loop users: one line each, bill of the newest month cached, `pageRows` rows of history. */
  openLoopUsers(count: number): Array<{ userId: string; line: string; token: string; body: string }> {
    return Array.from({ length: count }, (_, i) => {
      const userId = `${USERS.openLoop}${i}`;
      const line = lineAt(1500, i);
      return {
        userId,
        line,
        token: this.token(userId, line),
        body: JSON.stringify({ lineNumber: line, inquiryMonth: this.months[0] }),
      };
    });
  }

  /**
   * Through a running service: the history user's 30 rows, the hit bill cached
   * (its answer returned: the floor serves these bytes), and each open-loop
   * user's bill cached with `pageRows` rows of history.
   */
  async warm(serviceUrl: string, openLoopUsers: ReturnType<Workload['openLoopUsers']>, pageRows: number) {
    const pool = new Pool(serviceUrl, { connections: 50 });
    const post = async (token: string, body: string) => {
      const res = await pool.request({
        method: 'POST',
        path: '/bills/inquiry',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`warm-up inquiry answered ${res.statusCode}: ${text}`);
      return text;
    };
    try {
      for (let i = 0; i < 30; i++) {
        await post(this.historyToken, this.hitBody(this.months[i % 3]));
        this.warmAcked.history++;
      }
      await post(this.hitToken, this.hitBody());
      const hitAnswer = await post(this.hitToken, this.hitBody());
      this.warmAcked.hit += 2;
      // The first inquiry of each user misses (KOS), the rest hit: 50 at a time.
      for (let round = 0; round < pageRows; round++) {
        for (let i = 0; i < openLoopUsers.length; i += 50) {
          await Promise.all(openLoopUsers.slice(i, i + 50).map((u) => post(u.token, u.body)));
          this.warmAcked.openLoop += Math.min(50, openLoopUsers.length - i);
        }
      }
      return hitAnswer;
    } finally {
      await pool.close();
    }
  }
}
