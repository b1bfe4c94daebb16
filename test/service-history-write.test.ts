import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalInstance } from '../src/cluster/local/localCluster.js';
import { applyDatabase } from '../src/platform/apply.js';
import { withClient } from '../src/platform/connect.js';
import { rolePassword } from '../src/platform/roleTargets.js';
import { newRequestId } from '../src/service/bills/requestId.js';
import { historyWrite, type HistoryUnit } from '../src/service/history/records.js';
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
