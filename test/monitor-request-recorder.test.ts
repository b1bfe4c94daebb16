import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestRecorder } from '../src/monitor/http/requestRecorder.js';

const T0 = 1_800_000_000_000;

test('p99 and rate over the window; p99 is rounded down to its bucket, exact at the 500 ms edge', () => {
  const r = new RequestRecorder(60_000);
  for (let i = 0; i < 990; i++) r.record(3.7, T0 + i);
  for (let i = 0; i < 10; i++) r.record(512, T0 + i);
  let s = r.stats(T0 + 1000);
  assert.equal(s.requests, 1000);
  assert.equal(s.ratePerS, 1000 / 60);
  assert.equal(s.p99Ms, 3, '99 % of requests took under 4 ms');
  for (let i = 0; i < 10; i++) r.record(499.9, T0 + 2000 + i);
  s = r.stats(T0 + 3000);
  assert.ok(s.p99Ms! < 500, `a p99 just under 500 ms must not reach the threshold (${s.p99Ms})`);
  for (let i = 0; i < 20; i++) r.record(500, T0 + 2000 + i);
  assert.equal(r.stats(T0 + 3000).p99Ms, 500);
});

test('requests older than the window no longer count; beyond 10 s p99 is the slowest seen', () => {
  const r = new RequestRecorder(5_000);
  r.record(20, T0);
  assert.equal(r.stats(T0 + 4_999).requests, 1);
  assert.equal(r.stats(T0 + 5_000).requests, 0);
  assert.equal(r.stats(T0 + 5_000).p99Ms, null);
  r.record(12_345, T0 + 10_000);
  assert.equal(r.stats(T0 + 10_001).p99Ms, 12_345);
  // A slot reused a window later starts from zero.
  r.record(1, T0 + 15_000);
  assert.deepEqual(r.stats(T0 + 15_001), { ratePerS: 1 / 5, p99Ms: 1, requests: 1 });
});
