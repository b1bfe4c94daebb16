import assert from 'node:assert/strict';
import { test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { maintainPartitions } from '../src/platform/partitions.js';
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
