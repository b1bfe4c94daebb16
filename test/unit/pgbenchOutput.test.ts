import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePgbench } from '../../src/platform/bench/pgbenchOutput.js';

// pgbench 15's summary (stdout), as `db bench` runs it (-P adds the stddev line).
const PG15 = `pgbench (15.10 (Debian 15.10-0+deb12u1))
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 10
query mode: simple
number of clients: 50
number of threads: 2
maximum number of tries: 1
duration: 300 s
number of transactions actually processed: 412345
number of failed transactions: 0 (0.000%)
latency average = 36.371 ms
latency stddev = 21.048 ms
initial connection time = 212.504 ms
tps = 1374.712211 (without initial connection time)
`;

test('parsePgbench reads the figures of a pgbench 15 summary', () => {
  assert.deepEqual(parsePgbench(PG15), {
    version: '15.10 (Debian 15.10-0+deb12u1)',
    scale: 10,
    clients: 50,
    threads: 2,
    durationS: 300,
    transactions: 412345,
    failedTransactions: 0,
    latencyAvgMs: 36.371,
    latencyStddevMs: 21.048,
    initialConnectionMs: 212.504,
    tps: 1374.712211,
  });
});

test('parsePgbench reads the PostgreSQL 13 wording and refuses output without a result', () => {
  const pg13 = PG15.replace(
    'tps = 1374.712211 (without initial connection time)',
    'tps = 1374.5 (including connections establishing)\ntps = 1380.1 (excluding connections establishing)',
  );
  assert.equal(parsePgbench(pg13)?.tps, 1380.1);
  assert.equal(parsePgbench('pgbench: error: connection to server failed\n'), undefined);
});
