import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { clientConfig } from '../src/db/connection.js';
import { startServiceHarness } from './helpers/service.js';

const LINE = '010-7777-8888';
const h = await startServiceHarness({
  replica: true,
  overrides: { service: { replica: { maxLagMs: 500, checkIntervalMs: 100 } } },
});
const token = h.token('replica-user', [LINE]);
const replica = h.replica!;

async function onReplica<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client(clientConfig(replica.target(h.cfg.database.name)));
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const readyReplica = async () => (await h.api('GET', '/ready')).body.data.replica.state as string;

test('history reads go to the replica as bill_readonly_user while it is healthy', async () => {
  await until('replica healthy', async () => (await readyReplica()) === 'healthy');
  await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE } });
  await h.flush();
  await until(
    'row replicated',
    async () => (await onReplica('SELECT 1 FROM bill_inquiry_history WHERE line_number = $1', [LINE])).length === 1,
  );
  const list = await h.api('GET', '/bills/history', { token });
  assert.equal(list.body.data.pagination.totalItems, 1);
  const sessions = await onReplica<{ usename: string }>(
    "SELECT usename FROM pg_stat_activity WHERE application_name = 'bill-inquiry-service-replica'",
  );
  assert.ok(sessions.length > 0, 'the service holds replica connections');
  assert.ok(
    sessions.every((s) => s.usename === h.cfg.database.roles.readonly),
    'as the read-only role',
  );
});

test('read-your-writes: a just-created request is found although the replica has not replayed it', async () => {
  await onReplica('SELECT pg_wal_replay_pause()');
  try {
    const r = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINE, inquiryMonth: undefined } });
    assert.equal(r.status, 200);
    const id = r.body.data.requestId as string;
    await h.flush();
    assert.equal(
      (await onReplica('SELECT 1 FROM bill_inquiry_history WHERE request_id = $1', [id])).length,
      0,
      'the replica is stale',
    );
    const got = await h.api('GET', `/bills/inquiry/${id}`, { token });
    assert.equal(got.status, 200);
    assert.equal(got.body.data.requestId, id);

    // Beyond maxLagMs the listing falls back to the primary and shows the new row.
    await until('replica lagging', async () => (await readyReplica()) === 'lagging');
    const list = await h.api('GET', '/bills/history', { token });
    assert.equal(list.body.data.items[0].requestId, id, 'lagging replica skipped: the primary answers');
  } finally {
    await onReplica('SELECT pg_wal_replay_resume()');
  }
  await until('replica healthy again', async () => (await readyReplica()) === 'healthy');
});

test('a stopped replica: /ready says so and history is served by the primary', async () => {
  await replica.stop('fast');
  try {
    await until('replica down', async () => (await readyReplica()) === 'down');
    const list = await h.api('GET', '/bills/history', { token });
    assert.equal(list.status, 200);
    assert.equal(list.body.data.pagination.totalItems, 2);
    assert.equal((await h.api('GET', '/ready')).status, 200, 'the primary alone is ready');
  } finally {
    await replica.start();
  }
});
