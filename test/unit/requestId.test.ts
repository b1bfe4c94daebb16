import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newRequestId } from '../../src/service/bills/requestId.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const msOf = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

test('newRequestId: UUIDv7 carrying the time it was made, unique across pool refills', () => {
  const now = Date.now();
  const ids = Array.from({ length: 5000 }, (_, i) => newRequestId(now + Math.floor(i / 1000)));
  for (const id of ids) assert.match(id, V7);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(msOf(ids[0]!), now);
  assert.equal(msOf(ids.at(-1)!), now + 4);
});

test('newRequestId: ids made in the same millisecond sort in the order they were made', () => {
  const now = Date.now() + 60_000;
  const ids = Array.from({ length: 600 }, () => newRequestId(now));
  assert.deepEqual([...ids].sort(), ids);
  // A clock that steps back keeps the order too (the last millisecond is reused, the sequence counts on).
  const back = newRequestId(now - 10);
  assert.ok(back > ids.at(-1)!);
});
