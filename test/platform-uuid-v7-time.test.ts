import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDatabase } from '../src/platform/apply.js';
import { withClient } from '../src/platform/connect.js';
import { startTempCluster } from './helpers/tempCluster.js';

const { cfg, primary } = await startTempCluster();
await applyDatabase(cfg, primary.target());
const sql = <T extends Record<string, unknown>>(text: string) => primary.query<T>(text, [], cfg.database.name);

test('uuid_v7_time is inlined by the planner (no SQL function call per history row) and exact for every id', async () => {
  // Inlined: the plan shows the expression itself, not a call of the function.
  const plan = (
    await sql<{ 'QUERY PLAN': string }>(
      `EXPLAIN (VERBOSE, COSTS OFF) SELECT uuid_v7_time(request_id) FROM bill_inquiry_history`,
    )
  ).map((r) => r['QUERY PLAN']);
  assert.ok(
    plan.some((l) => /AT TIME ZONE 'UTC'/.test(l)),
    plan.join('\n'),
  );
  assert.ok(!plan.some((l) => /uuid_v7_time/.test(l)), plan.join('\n'));

  // The same instant as the first definition's arithmetic (timestamptz + interval), whatever the session TimeZone.
  const r = await withClient(cfg, primary.target(), cfg.database.name, async (c) => {
    await c.query(`SET TimeZone = 'America/New_York'`);
    return (
      await c.query<{ differ: string; n: string }>(`
    WITH ids AS (
      SELECT lpad(to_hex(g::bigint * 1099511627), 12, '0') || '-7000-8000-000000000000' AS id FROM generate_series(0, 256000) g
      UNION ALL SELECT lpad(to_hex((extract(epoch FROM now()) * 1000)::bigint - g * 7919), 12, '0') || '-7abc-9def-0123456789ab'
        FROM generate_series(0, 20000) g
      UNION ALL SELECT 'ffffffff-ffff-7fff-bfff-ffffffffffff'
    )
    SELECT count(*) FILTER (WHERE uuid_v7_time(id) IS DISTINCT FROM timestamptz 'epoch'
             + ('x' || lpad(substr(replace(id, '-', ''), 1, 12), 16, '0'))::bit(64)::bigint * interval '1 millisecond')::text AS differ,
           count(*)::text AS n
    FROM ids`)
    ).rows[0];
  });
  assert.deepEqual(r, { differ: '0', n: '276003' });

  // The CHECK it serves still refuses a row whose request_time does not match its id.
  await assert.rejects(
    sql(`INSERT INTO bill_inquiry_history (request_id, user_id, line_number, inquiry_month, request_time, status)
         VALUES ('01a22884-5a52-72a4-94c1-a123ae682184', 'u', '010-1234-5678', '2026-11', now(), 'COMPLETED')`),
    /bill_inquiry_history_request_time_from_id|no partition/,
  );
});
