import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Memo } from '../../src/azure/clients/memo.js';

test('Memo: one Azure answer per key while it is fresh; a failure is not kept; ttl 0 asks every time', async () => {
  const m = new Memo<number>();
  let calls = 0;
  const fetch = async () => ++calls;
  assert.equal(await m.get('a', 60_000, fetch), 1);
  assert.equal(await m.get('a', 60_000, fetch), 1, 'reused within the ttl');
  assert.equal(await m.get('b', 60_000, fetch), 2, 'another key is asked');

  await assert.rejects(
    m.get('c', 60_000, () => Promise.reject(new Error('401'))),
    /401/,
  );
  assert.equal(await m.get('c', 60_000, fetch), 3, 'the failure was not kept');

  assert.equal(await m.get('d', 0, fetch), 4);
  assert.equal(await m.get('d', 0, fetch), 5, 'ttl 0: asked again');
});
