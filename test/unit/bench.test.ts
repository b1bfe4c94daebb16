import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mixCycle } from '../../bench/openLoop.js';
import { searchMaxRate, withinBound, type OpenLoopMeasured } from '../../bench/openLoopRun.js';
import { areaOf } from '../../bench/profile.js';
import { lineAt } from '../../bench/workload.js';

test('mixCycle interleaves the open-loop mix evenly, in the given shares', () => {
  const cycle = mixCycle({ hit: 70, history: 20, miss: 10 });
  assert.equal(cycle.length, 100);
  const count = (k: string) => cycle.filter((c) => c === k).length;
  assert.deepEqual([count('hit'), count('history'), count('miss')], [70, 20, 10]);
  // Evenly: every window of 10 requests holds 1 miss and 2 history pages.
  for (let i = 0; i + 10 <= cycle.length; i += 10) {
    const w = cycle.slice(i, i + 10);
    assert.equal(w.filter((c) => c === 'miss').length, 1);
    assert.equal(w.filter((c) => c === 'history').length, 2);
  }
});

/** A fake system whose p99 grows past 100 ms above `capacity` req/s, where it answers only `capacity` per second. */
const system = (capacity: number) => async (rate: number) =>
  ({
    rate,
    achievedRate: Math.min(rate, capacity),
    errors: 0,
    latencyMs: { p99: rate <= capacity ? 20 : 900 },
  }) as OpenLoopMeasured;

test('searchMaxRate steps up by 1.25 while within the bound, then bisects to within 5 %', async () => {
  const { maxRate, steps } = await searchMaxRate(system(3300), { start: 2000, maxSteps: 8, p99LimitMs: 100 });
  assert.deepEqual(
    steps.map((s) => s.rate),
    [2000, 2500, 3125, 3906, 3516, 3321, 3223],
  );
  assert.equal(maxRate, 3223);
});

test('searchMaxRate goes down to 90 % of what an overloaded step answered; errors or a missed schedule fail a step', async () => {
  const down = await searchMaxRate(system(700), { start: 2000, maxSteps: 8, p99LimitMs: 100 });
  assert.deepEqual(
    down.steps.map((s) => s.rate),
    [2000, 630, 1315, 973, 802, 716, 673, 695],
  );
  assert.equal(down.maxRate, 695);
  const ok = { rate: 1000, achievedRate: 1000, errors: 0, latencyMs: { p99: 10 } } as OpenLoopMeasured;
  assert.equal(withinBound(ok, 100), true);
  assert.equal(withinBound({ ...ok, errors: 1 }, 100), false);
  assert.equal(withinBound({ ...ok, achievedRate: 900 }, 100), false);
});

test('lineAt skips the lines KOS treats specially (…0000 unknown, …9999 no bills)', () => {
  assert.equal(lineAt(2000, 0), '010-2000-0001');
  assert.equal(lineAt(2000, 9997), '010-2000-9998');
  assert.equal(lineAt(2000, 9998), '010-2001-0001');
});

test('areaOf names the package, source area or V8 bucket of a profile frame', () => {
  const f = (functionName: string, url: string) => areaOf({ functionName, url, lineNumber: 0 });
  assert.equal(f('observe', 'file:///w/node_modules/@prometheus-io/client/lib/histogram.js'), '@prometheus-io/client');
  assert.equal(f('inquire', 'file:///w/src/service/bills/inquiryService.ts'), 'src/service');
  assert.equal(f('emit', 'node:events'), 'node:events');
  assert.equal(f('onStreamRead', 'node:internal/stream_base_commons'), 'node:stream_base_commons');
  assert.equal(f('(garbage collector)', ''), 'V8 garbage collector');
  assert.equal(f('writev', ''), 'native/builtin');
});
