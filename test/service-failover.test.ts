import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoint } from '../src/topology/index.js';
import { startServiceHarness } from './helpers/service.js';

const LINE = '010-6666-1212';
let where: Endpoint | undefined;
let invalidations = 0;
/** When set, the locator fails with this (internal) message. */
let locatorError: string | undefined;
const h = await startServiceHarness({
  replica: true,
  locatorFor: (c) => {
    where = { host: c.cfg.cluster.host, port: c.primary.port };
    return {
      primary: async () => {
        if (locatorError) throw new Error(locatorError);
        return where!;
      },
      replica: async () => undefined,
      invalidate: () => void invalidations++,
    };
  },
});
const token = h.token('failover-user', [LINE]);

test('after a failover the service fails fast with 503, asks the locator again and follows the new primary', async () => {
  const first = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE } });
  assert.equal(first.status, 200);
  await h.flush();
  const id = first.body.data.requestId as string;
  await until(
    'replica has the row',
    async () =>
      (await h.replica!.query('SELECT 1 FROM bill_inquiry_history WHERE request_id = $1', [id], h.cfg.database.name))
        .length === 1,
  );

  await h.primary.stop('immediate');
  const t = Date.now();
  const during = await h.api('GET', `/bills/inquiry/${id}`, { token });
  assert.equal(during.status, 503, JSON.stringify(during.body));
  assert.equal(during.body.error.code, 'SERVICE_UNAVAILABLE');
  assert.ok(Date.now() - t < 3000, 'fails fast, does not hang');
  assert.ok(invalidations > 0, 'the locator was told to forget the old primary');
  const ready = await h.api('GET', '/ready');
  assert.equal(ready.status, 503);
  assert.equal(ready.body.error.code, 'NOT_READY');
  assert.equal(ready.body.data.primary.reachable, false);

  // The locator itself fails (e.g. no Patroni member answers): the client gets a stable message, the log the reason.
  locatorError = 'patroni REST 10.0.2.7:8008 and 10.0.2.8:8008: connect ECONNREFUSED';
  const warnings: unknown[] = [];
  const log = h.service.runtime.log;
  const warn = log.warn;
  log.warn = function (this: typeof log, obj: object, msg?: string) {
    warnings.push({ obj, msg });
    warn.call(this, obj, msg);
  };
  try {
    const lost = await h.api('GET', `/bills/inquiry/${id}`, { token });
    assert.equal(lost.status, 503);
    const { timestamp, ...error } = lost.body.error;
    assert.deepEqual(error, { code: 'SERVICE_UNAVAILABLE', message: 'the database is unavailable; try again shortly' });
    assert.ok(!Number.isNaN(Date.parse(timestamp)), 'the design’s error timestamp');
    assert.doesNotMatch(JSON.stringify(lost.body), /10\.0\.2|8008|ECONNREFUSED/, 'no internal text reaches the client');
    const logged = warnings.find((w) => JSON.stringify(w).includes('ECONNREFUSED'));
    assert.ok(logged, 'the reason is in the service log');
    assert.match(JSON.stringify(logged), /"reqId":"[^"]+"/, 'with the request id');
  } finally {
    log.warn = warn;
    locatorError = undefined;
  }

  await h.replica!.query('SELECT pg_promote(true, 30)');
  where = { host: h.cfg.cluster.host, port: h.replica!.port };
  await until(
    'reads from the new primary',
    async () => (await h.api('GET', `/bills/inquiry/${id}`, { token })).status === 200,
  );
  const after = await h.api('POST', '/bills/inquiry', {
    token,
    body: { lineNumber: LINE, inquiryMonth: first.body.data.billInfo.billingMonth },
  });
  assert.equal(after.status, 200);
  await until('history written to the new primary', async () => {
    await h.flush();
    return (
      (
        await h.replica!.query(
          'SELECT 1 FROM bill_inquiry_history WHERE request_id = $1',
          [after.body.data.requestId],
          h.cfg.database.name,
        )
      ).length === 1
    );
  });
});

async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
