import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { AuthFailureWatch, LogFollower } from '../src/monitor/db/serverLog.js';

const TZ = 'Asia/Seoul';
/** A server log line as log_line_prefix '%t [%p]: ' writes it, in Seoul time. */
const line = (at: Date, level: string, message: string) => {
  const local = new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  return `${local} KST [4242]: [3-1] user=app,db=bill_inquiry_db,app=x,client=127.0.0.1 ${level}:  ${message}\n`;
};

test('the follower reads only what was appended, whole lines only, and never counts a failure twice', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bi-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'postgresql-2026-11-24.log');
  const now = new Date();
  const fail = (at: Date) => line(at, 'FATAL', 'password authentication failed for user "bill_app_user"');
  writeFileSync(file, line(now, 'LOG', 'statement: SELECT 1') + fail(now) + fail(new Date(now.getTime() - 120_000)));

  const watch = new AuthFailureWatch(TZ, 1 << 20);
  assert.equal(watch.lastMinute([dir], now), 1, 'the failure two minutes ago is outside the window');
  assert.equal(watch.lastMinute([dir], now), 1, 'nothing new: still one, not two');

  // A line still being written is left for the next read.
  const half = fail(now);
  appendFileSync(file, fail(now) + half.slice(0, 30));
  assert.equal(watch.lastMinute([dir], now), 2);
  appendFileSync(file, half.slice(30));
  assert.equal(watch.lastMinute([dir], now), 3);
  assert.equal(watch.lastMinute([dir], new Date(now.getTime() + 61_000)), 0, 'a minute later they have aged out');
});

test('a follower reads at most the tail on its first call and only lines with its needle', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bi-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const now = new Date();
  const old = line(now, 'FATAL', 'no pg_hba.conf entry for host "127.0.0.1"');
  const recent = line(now, 'ERROR', 'relation "x" does not exist');
  writeFileSync(path.join(dir, 'postgresql-2026-11-24.log'), old + 'x'.repeat(5000) + '\n' + recent);
  const errors = new LogFollower(dir, TZ, recent.length + 10, 'ERROR:');
  assert.deepEqual(
    errors.next(new Date(now.getTime() - 60_000)).map((e) => e.level),
    ['ERROR'],
    'only the tail, only ERROR lines',
  );
  assert.deepEqual(errors.next(new Date(now.getTime() - 60_000)), []);
});
