import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { TokenPassword } from '../../src/service/db/tokenPassword.js';

const SCOPE = 'https://ossrdbms-aad.database.windows.net/.default';
const MIN = 60_000;

/** A credential that issues token-1, token-2, … each valid `lifeMs`, counting calls; `fail` makes the next calls throw. */
function fakeCredential(clock: { now: number }, lifeMs = 60 * MIN) {
  const state = { calls: 0, scopes: [] as string[], fail: false, gate: undefined as Promise<void> | undefined };
  const credential: TokenCredential = {
    async getToken(scopes): Promise<AccessToken> {
      state.calls++;
      state.scopes.push(String(scopes));
      await state.gate;
      if (state.fail) throw new Error('IMDS unreachable');
      return { token: `token-${state.calls}`, expiresOnTimestamp: clock.now + lifeMs };
    },
  };
  return { credential, state };
}

test('a token serves new connections until refreshBeforeExpiry before it expires, then the next one is fetched', async () => {
  const clock = { now: 0 };
  const { credential, state } = fakeCredential(clock);
  const p = new TokenPassword(credential, SCOPE, 5 * MIN, undefined, () => clock.now);
  assert.equal(await p.password(), 'token-1');
  clock.now = 54 * MIN;
  assert.equal(await p.password(), 'token-1', 'still 6 min to go');
  clock.now = 55 * MIN;
  assert.equal(await p.password(), 'token-2', '5 min before expiry: refreshed');
  assert.equal(state.calls, 2);
  assert.deepEqual(state.scopes, [SCOPE, SCOPE]);
});

test("the token's own refreshAfterTimestamp is honoured", async () => {
  const clock = { now: 0 };
  let n = 0;
  const credential: TokenCredential = {
    getToken: async () => ({
      token: `t${++n}`,
      expiresOnTimestamp: clock.now + 60 * MIN,
      refreshAfterTimestamp: clock.now + 30 * MIN,
    }),
  };
  const p = new TokenPassword(credential, SCOPE, 5 * MIN, undefined, () => clock.now);
  assert.equal(await p.password(), 't1');
  clock.now = 30 * MIN;
  assert.equal(await p.password(), 't2');
});

test('connections opening together share one fetch', async () => {
  const clock = { now: 0 };
  const { credential, state } = fakeCredential(clock);
  let open!: () => void;
  state.gate = new Promise((r) => (open = r));
  const p = new TokenPassword(credential, SCOPE, 5 * MIN, undefined, () => clock.now);
  const all = Promise.all(Array.from({ length: 15 }, () => p.password()));
  open();
  assert.deepEqual(new Set(await all), new Set(['token-1']));
  assert.equal(state.calls, 1);
});

test('a failed refresh falls back to the still-valid token (and says so); an expired one fails the connection', async () => {
  const clock = { now: 0 };
  const { credential, state } = fakeCredential(clock);
  const errors: unknown[] = [];
  const p = new TokenPassword(
    credential,
    SCOPE,
    5 * MIN,
    (e) => errors.push(e),
    () => clock.now,
  );
  await p.password();
  state.fail = true;
  clock.now = 57 * MIN;
  assert.equal(await p.password(), 'token-1');
  assert.equal(errors.length, 1);
  clock.now = 61 * MIN;
  await assert.rejects(p.password(), /IMDS unreachable/);
  state.fail = false;
  assert.match(await p.password(), /^token-\d$/, 'recovers once the credential answers again');
});
