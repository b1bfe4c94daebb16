import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isExpired } from '../../src/platform/partitions.js';
import { availableMonths, currentMonth, kosMonth, utcOffset, withinWindow } from '../../src/service/bills/months.js';

test('the current month turns at midnight Asia/Seoul, not UTC', () => {
  // 2026-11-30T15:00Z is 2026-12-01 00:00 in Seoul.
  assert.equal(currentMonth('Asia/Seoul', new Date('2026-11-30T14:59:59Z')), '2026-11');
  assert.equal(currentMonth('Asia/Seoul', new Date('2026-11-30T15:00:00Z')), '2026-12');
  assert.equal(currentMonth('UTC', new Date('2026-11-30T15:00:00Z')), '2026-11');
  // The memo must not answer for an instant outside the month it was computed for.
  assert.equal(currentMonth('Asia/Seoul', new Date('2026-10-31T14:00:00Z')), '2026-10');
  assert.equal(currentMonth('Asia/Seoul', new Date('2027-01-01T00:00:00Z')), '2027-01');
});

test('available months: newest first, across the year boundary', () => {
  assert.deepEqual(availableMonths('2027-02', 4), ['2027-02', '2027-01', '2026-12', '2026-11']);
  assert.equal(availableMonths('2026-11', 24).length, 24);
  assert.equal(availableMonths('2026-11', 24).at(-1), '2024-12');
});

test('the inquiry window holds exactly the newest N months', () => {
  assert.equal(withinWindow('2026-11', '2026-11', 24), true);
  assert.equal(withinWindow('2024-12', '2026-11', 24), true);
  assert.equal(withinWindow('2024-11', '2026-11', 24), false);
  assert.equal(withinWindow('2026-12', '2026-11', 24), false, 'a future month');
  assert.equal(kosMonth('2026-11'), '202611');
  assert.equal(utcOffset('Asia/Seoul'), '+09:00');
});

test('a monthly partition expires once its last possible row is past retention', () => {
  const upper = new Date('2025-12-01T00:00:00+09:00'); // the partition holds November 2025 (KST)
  const at = (iso: string) => new Date(iso);
  assert.equal(isExpired({ upper }, 365, at('2026-12-01T00:00:00+09:00')), true, 'exactly 365 days later');
  assert.equal(isExpired({ upper }, 365, at('2026-11-30T23:59:59+09:00')), false, 'a second earlier');
  assert.equal(isExpired({ upper }, 730, at('2026-12-01T00:00:00+09:00')), false, 'bill history keeps it longer');
});
