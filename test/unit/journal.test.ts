import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '../../src/log.js';
import { decodeFrames, encodeFrames } from '../../src/service/history/journal/frame.js';
import { Journal, type JournalOptions } from '../../src/service/history/journal/journal.js';
import { journalUsage } from '../../src/service/history/journal/usage.js';
import { currentOwner, ownerAlive, ownerId, parseOwner, type Owner } from '../../src/service/history/journal/owner.js';
import { acceptsNewRows } from '../../src/service/history/journal/segment.js';

const log = createLogger({ level: 'silent' });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'bi-journal-unit-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

function journal(opts: Partial<JournalOptions> = {}): Journal {
  const root = opts.root ?? path.join(tmp, `case-${++n}`, 'history', 'journal');
  const j = new Journal(
    { root, segmentBytes: 1 << 20, maxBytes: 1 << 30, fsyncIntervalMs: 20, staleAfterMs: 30_000, ...opts },
    log,
  );
  j.open();
  return j;
}

const rowsOnDisk = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.seg'))
    .sort()
    .flatMap((f) => decodeFrames(readFileSync(path.join(dir, f))).payloads);

/** A pid that ran and exited: no process has it now. */
const deadPid = (): number => spawnSync('true').pid;
const me = currentOwner();

test('group commit: every append of one event-loop turn goes out in one write, before any of them is answered', async () => {
  const j = journal();
  const appended = ['{"r":1}', '{"r":2}', '{"r":3}'].map((p) => j.append(() => p, 1));
  assert.equal(j.stats().writes, 0, 'nothing is written within the turn');
  assert.deepEqual(rowsOnDisk(j.dir), []);
  await Promise.all(appended.map((a) => a.written));
  assert.equal(j.stats().writes, 1);
  assert.deepEqual(rowsOnDisk(j.dir), ['{"r":1}', '{"r":2}', '{"r":3}']);
  assert.equal(j.stats().outstandingRows, 3);
  await j.append(() => '{"r":4}', 2).written;
  assert.equal(j.stats().writes, 2, 'the next turn is the next write');
  assert.equal(j.stats().appendedRows, 5);
  j.close();
});

test('rows leave the journal once committed: the active file is emptied, sealed files deleted', async () => {
  const j = journal({ segmentBytes: 100 });
  const big = `{"pad":"${'x'.repeat(150)}"}`;
  const first = j.append(() => big, 2);
  await first.written;
  const second = j.append(() => big, 1);
  await second.written;
  assert.equal(readdirSync(j.dir).length, 2, 'the first file is full: the second write starts a new one');
  const sealedBytes = j.bytes;
  j.release(first.hold);
  assert.equal(j.bytes, sealedBytes, 'one of two rows committed: the sealed segment stays');
  j.release(first.hold);
  assert.equal(readdirSync(j.dir).length, 1, 'all its rows committed: the sealed segment is deleted');
  j.release(second.hold);
  assert.equal(j.bytes, 0, 'the active segment is truncated');
  assert.equal(statSync(path.join(j.dir, readdirSync(j.dir)[0]!)).size, 0);
  assert.equal(j.stats().outstandingRows, 0);
  j.close();
  assert.equal(existsSync(j.dir), false, 'a clean close removes the directory');
});

test('a row committed before its group commit ran leaves nothing behind', async () => {
  const j = journal();
  const a = j.append(() => '{"early":true}', 1);
  j.release(a.hold);
  await a.written;
  assert.equal(j.stats().outstandingRows, 0);
  assert.equal(j.bytes, 0);
  j.close();
});

test('budget: new rows are refused from 90 % of maxBytes on, and accepted again once rows are committed', async () => {
  assert.equal(acceptsNewRows(899, 1000), true);
  assert.equal(acceptsNewRows(900, 1000), false);
  const j = journal({ maxBytes: 1000 });
  const a = j.append(() => `{"pad":"${'x'.repeat(400)}"}`, 1);
  await a.written;
  assert.equal(j.accepting, true);
  const b = j.append(() => `{"pad":"${'y'.repeat(480)}"}`, 1);
  await b.written;
  assert.ok(j.bytes >= 900);
  assert.equal(j.accepting, false);
  assert.deepEqual(journalUsage(path.dirname(j.dir)), { bytes: j.bytes, largestProcessBytes: j.bytes });
  assert.equal(j.stats().accepting, false);
  j.release(a.hold);
  j.release(b.hold);
  assert.equal(j.accepting, true);
  assert.deepEqual(journalUsage(path.dirname(j.dir)), { bytes: 0, largestProcessBytes: 0 });
  j.close();
});

test('files are 0600 and directories 0700', async () => {
  const j = journal();
  await j.append(() => '{}', 1).written;
  assert.equal(statSync(j.dir).mode & 0o777, 0o700);
  assert.equal(statSync(path.dirname(j.dir)).mode & 0o777, 0o700);
  assert.equal(statSync(path.dirname(path.dirname(j.dir))).mode & 0o777, 0o700);
  for (const f of readdirSync(j.dir)) assert.equal(statSync(path.join(j.dir, f)).mode & 0o777, 0o600);
  j.close();
});

test('fdatasync runs on the interval, off the event loop', async () => {
  const j = journal({ fsyncIntervalMs: 10 });
  await j.append(() => '{}', 1).written;
  const until = Date.now() + 5000;
  while (j.stats().fsyncs === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  assert.ok(j.stats().fsyncs >= 1);
  j.close();
});

/** Leaves a journal directory as a killed process would: a segment, its last record torn. */
function orphan(root: string, owner: Owner, records: string[], torn = false): string {
  const dir = path.join(root, ownerId(owner));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const buf = encodeFrames(records);
  const tail = torn ? encodeFrames(['{"torn":true}']).subarray(0, 9) : Buffer.alloc(0);
  writeFileSync(path.join(dir, '0000000001.seg'), Buffer.concat([buf, tail]), { mode: 0o600 });
  return dir;
}

test('replay: the journal of a dead process is claimed, read (torn tail cut off), and deleted once its rows are committed', async () => {
  const root = path.join(tmp, 'replay', 'history', 'journal');
  const dead = { pid: deadPid(), start: '12345', host: me.host };
  const left = orphan(root, dead, ['{"u":1}', '{"u":2}'], true);
  const j = journal({ root });
  assert.equal(existsSync(left), false, 'claimed by renaming it');
  assert.equal(j.replayPending, true);
  assert.ok(j.bytes > 0, 'adopted files count against the budget');
  const seg = j.readAdopted()!;
  assert.deepEqual(seg.payloads, ['{"u":1}', '{"u":2}']);
  assert.equal(j.stats().unreadBytes, 9);
  const holds = seg.payloads.map(() => seg.hold(1));
  seg.done();
  assert.equal(j.stats().replayedRows, 2);
  j.release(holds[0]);
  assert.equal(readdirSync(root).length, 2, 'one row still outstanding: the claimed directory stays');
  j.release(holds[1]);
  assert.deepEqual(readdirSync(root), [path.basename(j.dir)], 'all committed: the claimed directory is gone');
  j.close();
});

test('a live owner keeps its journal; a pid reused by another process does not', () => {
  const root = path.join(tmp, 'live', 'history', 'journal');
  const parent = { pid: process.ppid, start: currentOwnerStart(process.ppid), host: me.host };
  const liveDir = orphan(root, parent, ['{"live":1}']);
  // Our own pid with another start time: a process before us that had the same pid (a container's pid 1).
  const reused = orphan(root, { pid: process.pid, start: '1', host: me.host }, ['{"old":1}']);
  assert.equal(ownerAlive(parent, liveDir, 30_000), true);
  const j = journal({ root });
  assert.equal(existsSync(liveDir), true, 'the live process keeps its journal');
  assert.equal(existsSync(reused), false, 'the earlier process with our pid is gone: claimed');
  assert.deepEqual(j.readAdopted()!.payloads, ['{"old":1}']);
  j.close();
});

test('another host: claimed only once its owner stopped touching it', () => {
  const root = path.join(tmp, 'foreign', 'history', 'journal');
  const other = { pid: 1, start: '1', host: '0badc0de' };
  const dir = orphan(root, other, ['{"f":1}']);
  const first = journal({ root, staleAfterMs: 60_000 });
  assert.equal(existsSync(dir), true, 'touched just now: its owner may be alive');
  first.close();
  // Its owner stopped touching it an hour ago (set, not waited for: file times are coarser than 1 ms).
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(dir, hourAgo, hourAgo);
  const j = journal({ root, staleAfterMs: 60_000 });
  assert.equal(existsSync(dir), false, 'stale: claimed');
  j.close();
});

test('two processes starting together: each orphaned journal is claimed by exactly one', () => {
  const root = path.join(tmp, 'race', 'history', 'journal');
  // Two processes of this test: played by owners on other hosts, alive by their fresh heartbeat.
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (let i = 0; i < 6; i++) {
    const dir = orphan(root, { pid: 10 + i, start: String(i), host: 'dddddddd' }, [`{"d":${i}}`]);
    utimesSync(dir, hourAgo, hourAgo);
  }
  const a = journal({ root, staleAfterMs: 60_000, owner: { pid: 1, start: '100', host: 'aaaaaaaa' } });
  const b = journal({ root, staleAfterMs: 60_000, owner: { pid: 2, start: '200', host: 'bbbbbbbb' } });
  const read = (j: Journal) => {
    const out: string[] = [];
    for (let seg = j.readAdopted(); seg; seg = j.readAdopted()) out.push(...seg.payloads);
    return out;
  };
  const all = [...read(a), ...read(b)].sort();
  assert.deepEqual(
    all,
    [0, 1, 2, 3, 4, 5].map((i) => `{"d":${i}}`),
  );
  a.close();
  b.close();
});

test('a close with rows not committed keeps them for the next start, which replays them', async () => {
  const root = path.join(tmp, 'restart', 'history', 'journal');
  const owner = { pid: deadPid(), start: '7', host: me.host };
  const j = journal({ root, owner });
  await j.append(() => '{"kept":1}', 1).written;
  assert.deepEqual(j.close(), { keptRows: 1, keptBytes: j.bytes });
  assert.equal(existsSync(j.dir), true);
  const next = journal({ root });
  assert.deepEqual(next.readAdopted()!.payloads, ['{"kept":1}']);
  next.close();
});

test('owner ids parse back, claimed directories name their claimer', () => {
  const o = { pid: 42, start: '9876', host: 'abcdef01' };
  assert.deepEqual(parseOwner(ownerId(o)), o);
  assert.deepEqual(parseOwner(`${ownerId(o)}.c3`), o);
  assert.equal(parseOwner('dead-letter.jsonl'), undefined);
});

function currentOwnerStart(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

test('two journals of one process on one data dir get their own directories; a reopened one replays what its predecessor left', async () => {
  const root = path.join(tmp, 'same-process', 'history', 'journal');
  const a = journal({ root });
  const b = journal({ root });
  assert.notEqual(a.dir, b.dir);
  assert.equal(path.basename(b.dir), `${path.basename(a.dir)}.i2`);
  await a.append(() => '{"left":1}', 1).written;
  a.close();
  b.close();
  const c = journal({ root });
  assert.equal(c.dir, a.dir);
  assert.deepEqual(c.readAdopted()!.payloads, ['{"left":1}']);
  await c.append(() => '{"new":1}', 1).written;
  assert.deepEqual(rowsOnDisk(c.dir), ['{"left":1}', '{"new":1}'], 'the new file is numbered after the left one');
  c.close();
});

test('after close, appends are not journaled and commits delete nothing (the next start replays instead)', async () => {
  const j = journal();
  const a = j.append(() => '{"x":1}', 1);
  await a.written;
  j.close();
  await j.append(() => '{"late":1}', 1).written;
  j.release(a.hold);
  assert.deepEqual(rowsOnDisk(j.dir), ['{"x":1}']);
});

test('an adopted file with records that cannot be understood: a copy is kept aside, never deleted', () => {
  const root = path.join(tmp, 'quarantine', 'history', 'journal');
  orphan(root, { pid: deadPid(), start: '3', host: me.host }, ['{"ok":1}', 'not json']);
  const j = journal({ root });
  const seg = j.readAdopted()!;
  const hold = seg.hold(1);
  seg.keepCopy(1);
  seg.done();
  j.release(hold);
  const claimed = readdirSync(root).find((d) => d !== path.basename(j.dir))!;
  assert.deepEqual(readdirSync(path.join(root, claimed)), ['0000000001.seg.unreadable']);
  assert.equal(j.bytes, 0, 'the replayed file is gone; the copy does not count against the budget');
  j.close();
});

test('a value interned by many records is written once per segment, and comes back with them on replay', async () => {
  const root = path.join(tmp, 'dict', 'history', 'journal');
  const owner = { pid: deadPid(), start: '11', host: me.host };
  const j = journal({ root, owner, segmentBytes: 150 });
  const big = 'gcm1.k1.' + 'z'.repeat(100);
  const row = (n: number) => (intern: (v: string) => number) => JSON.stringify({ n, i: intern(big) });
  await Promise.all([j.append(row(1), 1).written, j.append(row(2), 1).written]);
  const first = readdirSync(j.dir).sort()[0]!;
  assert.deepEqual(decodeFrames(readFileSync(path.join(j.dir, first))).payloads, [
    `D0:${big}`,
    '{"n":1,"i":0}',
    '{"n":2,"i":0}',
  ]);
  await j.append(row(3), 1).written;
  assert.equal(readdirSync(j.dir).length, 2, 'the first file was full: a new one, with its own dictionary');
  j.close();
  const next = journal({ root });
  const seen: Array<{ payloads: string[]; dict: string[] }> = [];
  for (let s = next.readAdopted(); s; s = next.readAdopted()) seen.push({ payloads: s.payloads, dict: s.dict });
  assert.deepEqual(seen, [
    { payloads: ['{"n":1,"i":0}', '{"n":2,"i":0}'], dict: [big] },
    { payloads: ['{"n":3,"i":0}'], dict: [big] },
  ]);
  next.close();
});

test('after the active file is emptied, its dictionary starts again', async () => {
  const j = journal();
  const row = (intern: (v: string) => number) => `{"i":${intern('V')}}`;
  const a = j.append(row, 1);
  await a.written;
  j.release(a.hold);
  await j.append(row, 1).written;
  assert.deepEqual(rowsOnDisk(j.dir), ['D0:V', '{"i":0}']);
  j.close();
});

test('a failed group commit rejects its requests with the refusal (the API’s 503); the next one is written', async () => {
  const root = path.join(tmp, 'refusal', 'history', 'journal');
  const j = new Journal(
    { root, segmentBytes: 1 << 20, maxBytes: 1 << 30, fsyncIntervalMs: 20, staleAfterMs: 30_000 },
    log,
    (e) => new Error(`refused: ${(e as Error).message}`),
  );
  j.open();
  const bad = j.append(() => {
    throw new Error('EIO');
  }, 1);
  await assert.rejects(bad.written, /refused: EIO/);
  assert.equal(j.stats().writeErrors, 1);
  assert.equal(j.stats().outstandingRows, 0, 'nothing of it is on disk');
  await j.append(() => '{"next":1}', 1).written;
  assert.deepEqual(rowsOnDisk(j.dir), ['{"next":1}']);
  j.close();
});
