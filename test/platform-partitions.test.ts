import assert from 'node:assert/strict';
import { test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { applyDatabase } from '../src/platform/apply.js';
import { maintainPartitions } from '../src/platform/partitions.js';
import { SELECT_HISTORY_PAGE } from '../src/service/db/sql/history.js';
import { appliedCluster } from './helpers/platform.js';

// "Now" of the test, mid-month so month boundaries in Asia/Seoul are far away.
const NOW = new Date('2027-03-15T03:00:00Z');
const c = await appliedCluster({}, NOW);
const db = c.cfg.database.name;
const admin = c.primary.target();

const partitions = async (table: string) =>
  (
    await c.primary.query<{ relname: string }>(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1`,
      [table],
      db,
    )
  ).map((r) => r.relname);

async function billRow(at: string): Promise<string> {
  const id = uuidv7({ msecs: Date.parse(at) });
  await c.primary.query(
    `INSERT INTO bill_inquiry_history (request_id, user_id, line_number, request_time, status) VALUES ($1::text, 'u1', '01012345678', uuid_v7_time($1::text), 'COMPLETED')`,
    [id],
    db,
  );
  return id;
}
async function kosRow(billId: string, at: string): Promise<void> {
  await c.primary.query(
    `INSERT INTO kos_inquiry_history (bill_request_id, bill_request_time, line_number, request_time) VALUES ($1::text, uuid_v7_time($1::text), '01012345678', $2)`,
    [billId, at],
    db,
  );
}
const exists = async (table: string, where: string, params: unknown[]) =>
  Number((await c.primary.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params, db))[0]!.n);

test('apply lays out the current month, one behind and partitionsAhead months ahead for both history tables', async () => {
  for (const t of ['bill_inquiry_history', 'kos_inquiry_history']) {
    assert.deepEqual(
      await partitions(t),
      ['2027m02', '2027m03', '2027m04', '2027m05', '2027m06'].map((m) => `${t}_${m}`),
    );
  }
  // A later maintenance creates the months that came due, and is idempotent.
  const later = await maintainPartitions(c.cfg, admin, new Date('2027-05-20T00:00:00Z'));
  assert.deepEqual(later.created.sort(), [
    'bill_inquiry_history_2027m07',
    'bill_inquiry_history_2027m08',
    'kos_inquiry_history_2027m07',
    'kos_inquiry_history_2027m08',
  ]);
  assert.deepEqual((await maintainPartitions(c.cfg, admin, new Date('2027-05-20T00:00:00Z'))).created, []);
});

test('retention drops KOS partitions past 365 days first, then bill partitions past 730 days, keeping referenced ones', async () => {
  // Old months exist because the service ran back then (order: newer first, so nothing is dropped early).
  await maintainPartitions(c.cfg, admin, new Date('2026-01-15T00:00:00Z'));
  await maintainPartitions(c.cfg, admin, new Date('2025-01-15T00:00:00Z'));

  const billOld = await billRow('2025-01-10T00:00:00Z'); // 794 days old: past bill retention
  await kosRow(billOld, '2025-01-10T00:00:01Z'); //          past KOS retention
  const billMid = await billRow('2026-01-10T00:00:00Z'); // 429 days: bill kept
  await kosRow(billMid, '2026-01-10T00:00:01Z'); //          KOS past 365 days: dropped
  const billPinned = await billRow('2025-01-12T00:00:00Z'); // old bill row …
  await kosRow(billPinned, '2027-03-10T00:00:00Z'); //         … still referenced by a recent KOS row
  const billRecent = await billRow('2027-03-14T00:00:00Z');
  await kosRow(billRecent, '2027-03-14T00:00:01Z');

  const r = await maintainPartitions(c.cfg, admin, NOW);
  const kosAfter = await partitions('kos_inquiry_history');
  const billAfter = await partitions('bill_inquiry_history');
  assert.ok(
    !kosAfter.some((p) => /_(2024m12|2025m0[1-4]|2025m12|2026m0[12])$/.test(p)),
    `KOS partitions older than 365 days gone: ${kosAfter.join(',')}`,
  );
  assert.ok(kosAfter.includes('kos_inquiry_history_2026m04'), 'KOS month within 365 days kept');
  assert.ok(
    !billAfter.includes('bill_inquiry_history_2024m12') && !billAfter.includes('bill_inquiry_history_2025m02'),
    'expired bill partitions dropped',
  );
  assert.ok(billAfter.includes('bill_inquiry_history_2026m01'), 'bill month within 730 days kept');
  assert.deepEqual(
    r.kept.map((k) => k.name),
    ['bill_inquiry_history_2025m01'],
  );
  assert.match(r.kept[0]!.reason, /referenced/);
  assert.ok(
    r.dropped.indexOf('kos_inquiry_history_2025m01') < r.dropped.indexOf('bill_inquiry_history_2024m12'),
    'KOS partitions go first',
  );

  assert.equal(
    await exists('kos_inquiry_history', 'bill_request_id = ANY($1)', [[billOld, billMid]]),
    0,
    'expired KOS rows gone',
  );
  assert.equal(await exists('bill_inquiry_history', 'request_id = $1', [billMid]), 1, 'retained bill row intact');
  assert.equal(
    await exists('kos_inquiry_history', 'bill_request_id = ANY($1)', [[billPinned, billRecent]]),
    2,
    'recent KOS rows intact',
  );
  assert.equal(
    await exists('bill_inquiry_history', 'request_id = ANY($1)', [[billPinned, billRecent]]),
    2,
    'referenced bill row intact',
  );

  // Once the referencing KOS row is gone, the next run drops the old bill month.
  await c.primary.query('DELETE FROM kos_inquiry_history WHERE bill_request_id = $1', [billPinned], db);
  const next = await maintainPartitions(c.cfg, admin, NOW);
  assert.deepEqual(next.dropped, ['bill_inquiry_history_2025m01']);
  assert.deepEqual(next.kept, []);
  assert.equal(await exists('bill_inquiry_history', 'request_id = ANY($1)', [[billOld, billPinned]]), 0);
  assert.equal(await exists('bill_inquiry_history', 'request_id = ANY($1)', [[billMid, billRecent]]), 2);
});

const reloptions = async (name: string) =>
  (
    await c.primary.query<{ reloptions: string[] | null }>(
      `SELECT reloptions FROM pg_class WHERE relname = $1`,
      [name],
      db,
    )
  )[0]!.reloptions ?? [];

test('bill partitions are vacuumed every historyVacuumInsertRows inserts; apply sets it on partitions made without it', async () => {
  const want = [
    `autovacuum_vacuum_insert_threshold=${c.cfg.database.historyVacuumInsertRows}`,
    'autovacuum_vacuum_insert_scale_factor=0',
  ];
  for (const p of await partitions('bill_inquiry_history')) assert.deepEqual(await reloptions(p), want, p);
  for (const p of await partitions('kos_inquiry_history')) assert.deepEqual(await reloptions(p), [], p);
  // A partition from before this setting (or reset by hand) gets it at the next apply, once.
  await c.primary.query(
    'ALTER TABLE bill_inquiry_history_2027m03 RESET (autovacuum_vacuum_insert_threshold, autovacuum_vacuum_insert_scale_factor)',
    [],
    db,
  );
  const apply = await applyDatabase(c.cfg, admin, { now: NOW });
  assert.deepEqual(
    apply.changes.filter((ch) => ch.id.startsWith('partition:')).map((ch) => ch.id),
    ['partition:bill_inquiry_history_2027m03:options'],
  );
  assert.deepEqual(await reloptions('bill_inquiry_history_2027m03'), want);
  assert.deepEqual((await applyDatabase(c.cfg, admin, { now: NOW })).changes, [], 'a second apply changes nothing');
});

test('the history page sorts and counts on the index alone and reads only its own rows from the table', async () => {
  // The user under test has 300 rows among 1,000 users of 30 rows each: the planner sees a real table.
  const rows = 300;
  const ids: string[] = [];
  const users: string[] = [];
  const lines: string[] = [];
  const statuses: string[] = [];
  const add = (user: string, line: string, i: number, at: number) => {
    ids.push(uuidv7({ msecs: Date.parse('2027-03-01T00:00:00Z') + at }));
    users.push(user);
    lines.push(line);
    statuses.push(i % 10 === 0 ? 'FAILED' : 'COMPLETED');
  };
  for (let i = 0; i < rows; i++) add('deep', '010-5555-0001', i, i * 60_000);
  for (let u = 0; u < 1000; u++)
    for (let i = 0; i < 30; i++) add(`u${u}`, `010-6${String(u).padStart(3, '0')}-0001`, i, i * 60_000 + u);
  await c.primary.query(
    `INSERT INTO bill_inquiry_history (request_id, user_id, line_number, inquiry_month, request_time, status, bill_info_json)
     SELECT id, u, l, '2027-02', uuid_v7_time(id), st, to_jsonb(repeat('x', 900))
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS r(id, u, l, st)`,
    [ids, users, lines, statuses],
    db,
  );
  await c.primary.query('VACUUM ANALYZE bill_inquiry_history', [], db);
  const params = ['deep', ['010-5555-0001'], null, null, null, 20, 40];
  const page = await c.primary.query<{ request_id: string; total: number }>(SELECT_HISTORY_PAGE, params, db);
  const expected = await c.primary.query<{ request_id: string }>(
    `SELECT request_id FROM bill_inquiry_history WHERE user_id = 'deep' ORDER BY request_time DESC, request_id DESC LIMIT 20 OFFSET 40`,
    [],
    db,
  );
  assert.deepEqual(
    page.map((r) => r.request_id),
    expected.map((r) => r.request_id),
  );
  assert.ok(page.every((r) => r.total === rows));

  type PlanNode = {
    'Node Type': string;
    'Actual Rows': number;
    'Actual Loops': number;
    'Heap Fetches'?: number;
    Plans?: PlanNode[];
  };
  const [{ 'QUERY PLAN': plan }] = (await c.primary.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${SELECT_HISTORY_PAGE}`,
    params,
    db,
  )) as [{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }];
  const nodes: PlanNode[] = [];
  const walk = (n: PlanNode) => {
    nodes.push(n);
    n.Plans?.forEach(walk);
  };
  walk(plan[0]!.Plan);
  const onIndex = nodes.filter((n) => n['Node Type'] === 'Index Only Scan' && n['Actual Rows'] > 0);
  assert.equal(onIndex.length, 1, "the user's rows come from one index-only scan");
  assert.equal(onIndex[0]!['Actual Rows'], rows);
  assert.equal(onIndex[0]!['Heap Fetches'], 0, 'vacuumed: the visibility map answers, not the table');
  const fromTable = nodes.filter(
    (n) => (n['Node Type'] === 'Index Scan' || n['Node Type'] === 'Seq Scan') && n['Actual Rows'] > 0,
  );
  assert.equal(
    fromTable.reduce((sum, n) => sum + n['Actual Rows'] * n['Actual Loops'], 0),
    20,
    "only the page's 20 rows are read from the table",
  );
});
