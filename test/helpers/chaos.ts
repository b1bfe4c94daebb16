import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { json, type CliResult } from './cli.js';

export interface ChaosReport {
  ok: boolean;
  topology: string;
  duration_s: number;
  faults: { kind: string; target: string; at_s: number; recovered_s: number | null }[];
  requests: number;
  acknowledged: number;
  stored: number;
  lost_acknowledged: number;
  availability_pct: number;
  p99_ms_during_faults: number;
  instances: number;
  via: string;
  logs: string;
}

/** What every `drill chaos --json` run must show: each fault kind injected and recovered from, nothing acknowledged lost. */
export function assertChaos(t: TestContext, r: CliResult, topology: string, instances = 1): ChaosReport {
  const d = json<ChaosReport>(r);
  t.diagnostic(`chaos drill (${topology}): ${JSON.stringify({ ...d, faults: undefined })}`);
  t.diagnostic(`faults: ${d.faults.map((f) => `${f.kind}@${f.at_s}s→${f.recovered_s}s`).join(', ')}`);
  assert.equal(r.code, 0, r.stderr.slice(-4000));
  assert.equal(d.ok, true);
  assert.equal(d.topology, topology);
  assert.ok(d.duration_s >= 60, `ran the asked 60 s (${d.duration_s})`);
  for (const kind of ['postgres-kill', 'postgres-stall', 'service-kill', 'kos-failure'])
    assert.ok(
      d.faults.some((f) => f.kind === kind),
      `${kind} was injected: ${JSON.stringify(d.faults)}`,
    );
  for (const f of d.faults) assert.equal(typeof f.recovered_s, 'number', `recovered from ${f.kind} at ${f.at_s} s`);
  assert.ok(d.acknowledged > 1000, `the drill really sent load (${d.acknowledged} acknowledged)`);
  assert.equal(d.lost_acknowledged, 0, 'no acknowledged inquiry lost');
  assert.equal(d.stored, d.acknowledged);
  assert.ok(d.requests >= d.acknowledged && d.availability_pct > 0 && d.availability_pct <= 100);
  assert.ok(d.p99_ms_during_faults > 0);
  assert.equal(d.instances, instances);
  if (instances > 1) assert.match(d.via, /^HAProxy http:\/\/127\.0\.0\.1:\d+$/, 'the load went through HAProxy');
  assert.equal(statSync(d.logs).mode & 0o777, 0o700, 'the drill folder is private');
  for (const f of readdirSync(d.logs).filter((x) => x.endsWith('.log')))
    assert.equal(statSync(path.join(d.logs, f)).mode & 0o777, 0o600, `${f} is private`);
  return d;
}
