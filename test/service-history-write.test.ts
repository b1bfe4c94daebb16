import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalInstance } from '../src/cluster/local/localCluster.js';
import { applyDatabase } from '../src/platform/apply.js';
import { withClient } from '../src/platform/connect.js';
import { rolePassword } from '../src/platform/roleTargets.js';
import { newRequestId } from '../src/service/bills/requestId.js';
import { historyWrite, type HistoryUnit } from '../src/service/history/records.js';
import { BUMP_BILL_CACHE_ACCESS } from '../src/service/db/sql/cache.js';
import { startTempCluster } from './helpers/tempCluster.js';

const { cfg, primary } = await startTempCluster();
await applyDatabase(cfg, primary.target());
const app = new LocalInstance(cfg, 'primary').target(
  cfg.database.name,
  cfg.database.roles.app,
  rolePassword(cfg, 'app'),
);

/** One cache miss's rows: the bill row and its KOS row (or only a KOS row pointing at `billId`). */
function miss(billId?: string): HistoryUnit {
  const id = billId ?? newRequestId();
  const t = new Date(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toISOString();
  const line = '010-1234-5678';
  return {
    bill: billId
      ? null
      : {
          request_id: id,
          user_id: 'u1',
          line_number: line,
          inquiry_month: '2026-11',
          request_time: t,
          process_time: t,
          status: 'COMPLETED',
          result_summary: 'x',
          bill_info: '"v1:k:ciphertext"',
          error_message: null,
        },
    kos: [
      {
        bill_request_id: id,
        bill_request_time: t,
        line_number: line,
        inquiry_month: '2026-11',
        request_time: t,
        response_time: t,
        result_code: '0000',
        result_message: 'success',
        kos_data: '"v1:k:ciphertext"',
        error_detail: null,
        retry_count: 0,
        breaker_state: 'CLOSED',
      },
    ],
  };
}

test("the history write's plan_cache_mode ends with its statement, and the KOS foreign key still holds", async () => {
  await withClient(cfg, app, cfg.database.name, async (c) => {
    const units = Array.from({ length: 50 }, () => miss());
    await c.query(historyWrite(units));
    const ids = units.map((u) => u.bill!.request_id);
    const [n] = (
      await c.query<{ bills: string; kos: string }>(
        `SELECT (SELECT count(*) FROM bill_inquiry_history WHERE request_id = ANY($1))::text AS bills,
                (SELECT count(*) FROM kos_inquiry_history WHERE bill_request_id = ANY($1))::text AS kos`,
        [ids],
      )
    ).rows;
    assert.deepEqual(n, { bills: '50', kos: '50' });
    // The setting ended with the statement: the pooled session keeps the server's default.
    assert.equal((await c.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode')).rows[0]!.plan_cache_mode, 'auto');
    // A KOS row whose bill row does not exist is still refused by the foreign key.
    await assert.rejects(c.query(historyWrite([miss(newRequestId())])), { code: '23503' });
  });
});

test('cache access statistics: two processes bumping the same rows in opposite orders never wait on each other (no deadlock)', async () => {
  const keys = ['010-1111-2222:2026-11', '010-1111-3333:2026-11'];
  await withClient(cfg, app, cfg.database.name, (c) =>
    c.query(
      `INSERT INTO bill_info_cache (cache_key, line_number, inquiry_month, bill_info_json, cached_at, expires_at)
       SELECT k, split_part(k, ':', 1), split_part(k, ':', 2), '"x"'::jsonb, now(), now() + interval '1 hour'
       FROM unnest($1::text[]) k`,
      [keys],
    ),
  );
  await withClient(cfg, app, cfg.database.name, async (holder) => {
    await holder.query('BEGIN');
    await holder.query(BUMP_BILL_CACHE_ACCESS, [keys, [1, 1]]);
    // The second batch runs while the first holds both rows: it must skip them, not wait
    // (lock_timeout turns a wait into an error the assertion shows).
    const n = await withClient(cfg, app, cfg.database.name, async (other) => {
      await other.query(`SET lock_timeout = '2s'`);
      return (await other.query(BUMP_BILL_CACHE_ACCESS, [[...keys].reverse(), [5, 5]])).rowCount;
    });
    assert.equal(n, 0, 'the locked rows were skipped');
    await holder.query('COMMIT');
  });
  await withClient(cfg, app, cfg.database.name, async (c) => {
    assert.equal((await c.query(BUMP_BILL_CACHE_ACCESS, [keys, [2, 2]])).rowCount, 2, 'free rows are bumped');
    const r = await c.query<{ n: number }>(
      'SELECT sum(access_count)::int AS n FROM bill_info_cache WHERE cache_key = ANY($1)',
      [keys],
    );
    assert.equal(r.rows[0]!.n, 2 * (1 + 1 + 2), 'the insert (1), the held batch and the later one counted');
  });
});
