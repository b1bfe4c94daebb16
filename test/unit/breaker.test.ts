import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { KosBreaker } from '../../src/kos/client/breaker.js';

const settings = { failureThreshold: 5, recoveryTimeoutMs: 60_000, successThreshold: 3, windowMs: 60_000 };
const ok = () => Promise.resolve('ok');
const boom = () => Promise.reject(new Error('E999'));
// The KOS client resolves an attempt that got a business answer (E001/E002): the breaker sees a good call.
const business = () => Promise.resolve({ resultCode: 'E001' });

/** Fires and swallows the outcome: these tests look at the breaker's state, not at the call's result. */
const fire = (b: KosBreaker, attempt: () => Promise<unknown>) => b.fire(attempt).catch((e: unknown) => e);

// Hooks inside describe: the unit tier runs every file in one process, where top-level hooks would apply to all.
describe('KOS breaker', () => {
  let breaker: KosBreaker;
  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'] });
    breaker = new KosBreaker(settings);
  });
  afterEach(() => {
    breaker.shutdown();
    mock.timers.reset();
  });

  test('opens after failureThreshold failures in the window; business answers (E001/E002) never count', async () => {
    for (let i = 0; i < 10; i++) await fire(breaker, business);
    assert.equal(breaker.state(), 'CLOSED', 'ten "unknown line" answers are not a KOS failure');
    const fresh = new KosBreaker(settings);
    try {
      for (let i = 0; i < 4; i++) await fire(fresh, boom);
      assert.equal(fresh.state(), 'CLOSED');
      await fire(fresh, boom);
      assert.equal(fresh.state(), 'OPEN');
      const refused = (await fire(fresh, ok)) as { code?: string };
      assert.equal(refused.code, 'EOPENBREAKER', 'an open breaker refuses without calling');
    } finally {
      fresh.shutdown();
    }
  });

  test('half-open after the recovery timeout; closes only after successThreshold good calls', async () => {
    for (let i = 0; i < 5; i++) await fire(breaker, boom);
    mock.timers.tick(59_999);
    assert.equal(breaker.state(), 'OPEN');
    mock.timers.tick(1);
    assert.equal(breaker.state(), 'HALF_OPEN');
    await fire(breaker, ok);
    assert.equal(breaker.state(), 'HALF_OPEN', 'one good trial is not enough (plan: 3)');
    await fire(breaker, ok);
    assert.equal(breaker.state(), 'HALF_OPEN');
    await fire(breaker, ok);
    assert.equal(breaker.state(), 'CLOSED');
  });

  test('a failure during probation re-opens at once', async () => {
    for (let i = 0; i < 5; i++) await fire(breaker, boom);
    mock.timers.tick(60_000);
    await fire(breaker, ok);
    await fire(breaker, boom);
    assert.equal(breaker.state(), 'OPEN');
  });

  test('new settings (system_config NOTIFY) keep an open breaker open', async () => {
    for (let i = 0; i < 5; i++) await fire(breaker, boom);
    breaker.reconfigure({ ...settings, failureThreshold: 10 });
    assert.equal(breaker.state(), 'OPEN');
  });

  test('failures older than the window are forgotten', async () => {
    for (let i = 0; i < 4; i++) await fire(breaker, boom);
    mock.timers.tick(61_000);
    await fire(breaker, boom);
    assert.equal(breaker.state(), 'CLOSED');
  });
});
