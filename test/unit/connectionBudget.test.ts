import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poolSection } from '../../src/config/sections/pool.js';
import { connectionBudget } from '../../src/platform/connectionBudget.js';

const server = { maxConnections: 200, superuserReserved: 3 };

test("the physical architecture's figures: 3 replicas fit, the autoscaler's 15 do not", () => {
  const b = connectionBudget(poolSection.parse({}), server);
  assert.deepEqual([b.status, b.available, b.expected, b.atMax, b.poolThatFits], ['warn', 197, 58, 250, 11]);
  assert.match(
    b.detail,
    /^3 instance\(s\) × 16 \(pool 15 \+ 1 listener\) \+ 10 reserve = 58 of 197 \(max_connections 200 − 3 superuser-reserved\); at 15 \(pool.maxInstances\): 250 > 197$/,
  );
  assert.match(b.action, /PgBouncer.*lower pool.size to 11/);
});

test('fails when the expected instances do not fit; passes when even the maximum fits', () => {
  assert.equal(connectionBudget(poolSection.parse({ instances: 12 }), server).status, 'fail', '12 × 16 + 10 = 202');
  assert.equal(connectionBudget(poolSection.parse({ instances: 11 }), server).status, 'warn', '11 × 16 + 10 = 186');
  const fits = connectionBudget(poolSection.parse({ size: 11 }), server);
  assert.deepEqual([fits.status, fits.atMax], ['pass', 190]);
  assert.equal(connectionBudget(poolSection.parse({}), { maxConnections: 300, superuserReserved: 3 }).status, 'pass');
});

test('one login without a read-only login: the read pool is a second pool on the primary, counted and said', () => {
  const b = connectionBudget(poolSection.parse({}), server, 1, true);
  assert.deepEqual([b.status, b.expected, b.atMax, b.poolThatFits], ['warn', 103, 475, 5]);
  assert.match(
    b.detail,
    /^3 instance\(s\) × 31 \(pool 15 \+ read pool 15 on the primary \(one login\) \+ 1 listener\) \+ 10 reserve = 103 of 197/,
  );
  assert.equal(connectionBudget(poolSection.parse({ instances: 7 }), server, 1, true).status, 'fail', '7 × 31 + 10');
});
