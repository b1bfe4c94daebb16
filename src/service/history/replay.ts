import pg from 'pg';
import type { Config } from '../../config/schema.js';
import { clientConfig, type ConnTarget } from '../../db/connection.js';
import { BillInquiryError } from '../../errors.js';
import { safeError } from '../logSafe.js';
import { DeadLetterFile, type DeadLetterEntry } from './deadLetter.js';
import { flushFailure, sqlState } from './flushErrors.js';
import { historyWrite, rowCount } from './records.js';

export interface ReplayResult {
  ok: boolean;
  file: string;
  /** Rows written now. */
  replayed: number;
  /** Rows still in the dead-letter file, with why (one per entry). */
  remaining: number;
  failures: Array<{ requestId: string; sqlstate: string; message: string }>;
}

/**
 * `history replay`: writes every dead-lettered request again as the app role,
 * one statement per request (bill row and its KOS rows), in the order they
 * were refused. Written entries leave the file; refused ones stay with the new
 * reason. If the database becomes unavailable the rest stays untouched.
 */
export async function replayDeadLetters(cfg: Readonly<Config>, app: ConnTarget): Promise<ReplayResult> {
  const file = new DeadLetterFile(cfg.dataDir);
  const { entries, release } = file.claim();
  if (!entries.length) {
    release();
    return { ok: true, file: file.path, replayed: 0, remaining: 0, failures: [] };
  }
  const kept: DeadLetterEntry[] = [];
  let replayed = 0;
  let fatal: unknown;
  const client = new pg.Client(clientConfig(app));
  try {
    await client.connect();
    for (const [i, entry] of entries.entries()) {
      try {
        await client.query(historyWrite([entry]));
        replayed += rowCount([entry]);
      } catch (e) {
        // A refused row (or a month still without partition) stays with its reason; an unavailable database stops the replay.
        if (flushFailure(e) === 'retry') {
          fatal = e;
          kept.push(...entries.slice(i));
          break;
        }
        kept.push({ ...entry, at: new Date().toISOString(), sqlstate: sqlState(e) ?? '', message: safeError(e) });
      }
    }
  } catch (e) {
    fatal = e;
    kept.splice(0, kept.length, ...entries);
  } finally {
    await client.end().catch(() => undefined);
  }
  file.append(kept);
  release();
  if (fatal) {
    throw new BillInquiryError(
      'REPLAY_DB',
      `history replay stopped: ${safeError(fatal)} (${replayed} row(s) written, ${rowCount(kept)} kept in ${file.path})`,
      'make sure the database primary is reachable, then run history replay again',
      { cause: fatal },
    );
  }
  return {
    ok: kept.length === 0,
    file: file.path,
    replayed,
    remaining: rowCount(kept),
    failures: kept.map((e) => ({
      requestId: e.bill?.request_id ?? e.kos[0]?.bill_request_id ?? '',
      sqlstate: e.sqlstate,
      message: e.message,
    })),
  };
}
