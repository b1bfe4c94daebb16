import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startTempCluster } from './helpers/tempCluster.js';

const c = await startTempCluster();

test('the server log is not rotated again on every message once a day holds more than 10 MB (log_statement=all)', async () => {
  // The logging collector rewrites current_logfiles (a new file renamed into place) at each rotation.
  const marker = path.join(c.primary.paths.pgdata, 'current_logfiles');
  const log = () => path.join(c.primary.paths.pgdata, 'log', `postgresql-${localDay()}.log`);
  // 12 MB of statement text: past PostgreSQL's default log_rotation_size of 10 MB.
  const padded = `SELECT 1 /* ${'x'.repeat(100_000)} */`;
  for (let i = 0; i < 120; i++) await c.primary.query(padded);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(statSync(log()).size > 12_000_000, 'the day’s log holds the 12 MB');
  const before = statSync(marker).ino;
  for (let i = 0; i < 50; i++) await c.primary.query('SELECT 1');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(statSync(marker).ino, before, 'no rotation happened: each would have rewritten current_logfiles');
});

/** The day in the server's log_timezone (the plan's Asia/Seoul), as log_filename names it. */
function localDay(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: c.cfg.server.timezone }).format(new Date());
}
