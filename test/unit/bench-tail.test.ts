import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeTail, percentile, timeline, type Sample } from '../../bench/tail.js';
import { counterDelta, parseProcNet } from '../../bench/tcpCounters.js';

/** 1,000 req/s for `seconds`, 2 ms each on warm sockets, with `slow` overriding some. */
const run = (seconds: number, slow: (i: number) => Partial<Sample> | undefined): Sample[] =>
  Array.from({ length: seconds * 1000 }, (_, i) => ({
    dueMs: i,
    latencyMs: 2,
    status: 200,
    socket: i % 50,
    opened: false,
    ...slow(i),
  }));

test('percentile is the nearest rank of an ascending array', () => {
  const a = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(a, 50), 50);
  assert.equal(percentile(a, 99), 99);
  assert.equal(percentile(a, 100), 100);
  assert.equal(percentile(new Float64Array(0), 99), 0);
});

test('timeline puts each request in the 100 ms slot of its intended send time', () => {
  const slots = timeline(
    run(1, (i) => (i >= 300 && i < 310 ? { latencyMs: 900 } : i === 950 ? { status: 0 } : undefined)),
  );
  assert.equal(slots.length, 10);
  assert.deepEqual(
    slots.map((s) => s.count),
    Array.from({ length: 10 }, () => 100),
  );
  assert.equal(slots[3]!.max, 900);
  assert.equal(slots[3]!.p99, 900);
  assert.equal(slots[0]!.p99, 2);
  assert.equal(slots[9]!.errors, 1);
});

test('a tail carried by newly opened sockets is blamed on connection set-up', () => {
  // 1 % of requests opened their socket and waited for a SYN retry (1 s).
  const r = analyzeTail(
    run(10, (i) => (i % 100 === 7 ? { latencyMs: 1002, opened: true, socket: 1000 + i } : undefined)),
  );
  assert.equal(r.thresholdMs, 1002);
  assert.equal(r.count, 100);
  assert.equal(r.onOpenedSockets, 100);
  assert.match(r.verdict, /TCP connection set-up/);
  assert.equal(r.perSecond.length, 10);
  assert.deepEqual(
    r.perSecond,
    Array.from({ length: 10 }, () => 10),
  );
});

test('a tail bunched in a few slots is called a stall, one spread evenly queueing', () => {
  const stall = analyzeTail(run(20, (i) => (i >= 5000 && i < 5200 ? { latencyMs: 300 - (i - 5000) } : undefined)));
  assert.match(stall.verdict, /a stall/);
  assert.equal(stall.worstSlots[0]!.atMs, 5000);
  assert.equal(stall.onOpenedSockets, 0);
  const spread = analyzeTail(run(20, (i) => (i % 100 === 3 ? { latencyMs: 80 } : undefined)));
  assert.match(spread.verdict, /spread over the run/);
});

test('parseProcNet reads the wanted TCP counters of /proc/net/snmp and /proc/net/netstat', () => {
  const snmp = 'Ip: Forwarding\nIp: 1\nTcp: RtoAlgorithm ActiveOpens PassiveOpens RetransSegs\nTcp: 1 40 30 5\n';
  const netstat = 'TcpExt: TW ListenOverflows ListenDrops TCPSynRetrans\nTcpExt: 9 11 12 4\n';
  const before = { ...parseProcNet(snmp), ...parseProcNet(netstat) };
  assert.deepEqual(before, {
    TcpActiveOpens: 40,
    TcpPassiveOpens: 30,
    TcpRetransSegs: 5,
    TcpExtTW: 9,
    TcpExtListenOverflows: 11,
    TcpExtListenDrops: 12,
    TcpExtTCPSynRetrans: 4,
  });
  assert.deepEqual(counterDelta(before, { ...before, TcpExtListenOverflows: 20 }).TcpExtListenOverflows, 9);
});
