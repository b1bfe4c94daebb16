import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { authFailures, LogFollower, readLogEvents, zonedToUtc } from '../../src/monitor/db/serverLog.js';

/** Lines as the plan's log_line_prefix writes them: '%t [%p]: user=%u,db=%d,app=%a,client=%h '. */
const line = (local: string, level: string, message: string, app = 'psql') =>
  `${local} KST [4242]: user=bill_app_user,db=bill_inquiry_db,app=${app},client=127.0.0.1 ${level}:  ${message}\n`;

function logDir(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bi-log-'));
  writeFileSync(path.join(dir, 'postgresql-Sun.log'), text);
  return dir;
}

test('server log lines become events in UTC; DETAIL and STATEMENT lines are skipped', () => {
  const dir = logDir(
    line('2026-11-29 09:00:00', 'LOG', 'connection received') +
      line('2026-11-29 09:00:01', 'ERROR', 'permission denied for table system_config') +
      '\tSTATEMENT:  UPDATE system_config SET config_value = 1\n' +
      line('2026-11-29 09:00:02', 'FATAL', 'password authentication failed for user "bill_app_user"'),
  );
  const events = readLogEvents(dir, new Date('2026-11-28T00:00:00Z'), 'Asia/Seoul', 1 << 20);
  assert.deepEqual(
    events.map((e) => [e.at.toISOString(), e.level]),
    [
      ['2026-11-29T00:00:00.000Z', 'LOG'],
      ['2026-11-29T00:00:01.000Z', 'ERROR'],
      ['2026-11-29T00:00:02.000Z', 'FATAL'],
    ],
  );
  assert.equal(readLogEvents(dir, new Date('2026-11-29T00:00:01.500Z'), 'Asia/Seoul', 1 << 20).length, 1, 'since');
});

test('authentication failures are what §8.1 counts as failed connections; other FATALs are not', () => {
  const at = new Date();
  const ev = (level: string, message: string) => ({ at, level, message });
  const failures = authFailures([
    ev('FATAL', 'password authentication failed for user "x"'),
    ev('FATAL', 'no pg_hba.conf entry for host "10.0.0.1", user "x", database "y", no encryption'),
    ev('FATAL', 'role "ghost" does not exist'),
    ev('FATAL', 'terminating connection due to administrator command'),
    ev('ERROR', 'password authentication failed for user "x"'),
  ]);
  assert.equal(failures.length, 3);
});

test('the log follower reads only what was appended, and only whole lines', () => {
  const dir = logDir(line('2026-11-29 09:00:00', 'FATAL', 'password authentication failed for user "a"'));
  const file = path.join(dir, 'postgresql-Sun.log');
  const follower = new LogFollower(dir, 'Asia/Seoul', 1 << 20, 'FATAL:');
  const since = new Date('2026-11-28T00:00:00Z');
  assert.equal(follower.next(since).length, 1);
  assert.equal(follower.next(since).length, 0, 'nothing new');
  const next = line('2026-11-29 09:00:05', 'FATAL', 'password authentication failed for user "b"');
  appendFileSync(file, next.slice(0, 40));
  assert.equal(follower.next(since).length, 0, 'a half-written line waits');
  appendFileSync(file, next.slice(40) + line('2026-11-29 09:00:06', 'LOG', 'checkpoint starting'));
  const events = follower.next(since);
  assert.deepEqual(
    events.map((e) => e.message),
    ['password authentication failed for user "b"'],
  );
});

test('wall-clock times convert in zones with daylight saving time', () => {
  // New York: EDT (-4) in July, EST (-5) in January.
  assert.equal(zonedToUtc([2026, 7, 1, 12, 0, 0], 'America/New_York').toISOString(), '2026-07-01T16:00:00.000Z');
  assert.equal(zonedToUtc([2026, 1, 1, 12, 0, 0], 'America/New_York').toISOString(), '2026-01-01T17:00:00.000Z');
  assert.equal(zonedToUtc([2026, 11, 29, 9, 0, 0], 'Asia/Seoul').toISOString(), '2026-11-29T00:00:00.000Z');
});
