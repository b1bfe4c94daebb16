import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServiceHarness } from './helpers/service.js';

// A long interval, so the test sees the timer's flushes leave the statistics alone.
const h = await startServiceHarness({ overrides: { service: { cache: { accessFlushMs: 3_600_000 } } } });
const LINE = '010-1234-5678';

const accessCount = async () =>
  (
    await h.sql<{ n: number }>(
      `SELECT access_count AS n FROM bill_info_cache WHERE line_number = $1 ORDER BY cached_at DESC LIMIT 1`,
      [LINE],
    )
  )[0]?.n;

test('cache hit counts reach bill_info_cache once per service.cache.accessFlushMs, not on every history flush, and all of them at shutdown', async () => {
  const token = h.token('stats-user', [LINE]);
  const ask = () => h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE } });
  assert.equal((await ask()).status, 200);
  await h.flush();
  assert.equal(await accessCount(), 1, 'the KOS answer is stored with access_count 1');

  for (let i = 0; i < 3; i++) assert.equal((await ask()).status, 200);
  // The history writer's timer calls this every flush: the counts are not due yet.
  await h.service.runtime.billCache.flushShared();
  assert.equal(await accessCount(), 1, 'no row rewrite for statistics before the interval');

  // Shutdown (and the interval) writes every count gathered.
  await h.service.runtime.billCache.flushShared(true);
  assert.equal(await accessCount(), 4);
});
