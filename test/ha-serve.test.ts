import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { haStatus } from '../src/cluster/patroni/status.js';
import { queryOnce } from '../src/db/withClient.js';
import { freePort } from '../src/system/freePort.js';
import { openTopology } from '../src/topology/index.js';
import { json, startCli } from './helpers/cli.js';
import { haTestConfig } from './helpers/ha.js';

const WRITERS = 4;
const line = (w: number) => `010-5555-${String(1301 + w).padStart(4, '0')}`;

test(
  'serve --ha on a fresh data dir: etcd + Patroni + the service in one command; kill -9 of the leader postmaster, then of the whole leader node, under load: writes back within 10 s, every acknowledged inquiry retrievable',
  { timeout: 1_500_000 },
  async (t) => {
    const ha = await haTestConfig();
    const { cfg } = ha;
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const serve = startCli(['-c', ha.configFile, 'serve', '--ha', '--port', String(port)]);
    t.after(async () => void (await serve.stop()));
    await serve.waitFor('Ctrl-C', 400_000);
    assert.match(
      serve.stderr,
      new RegExp(`ha topology: primary on 127\\.0\\.0\\.1:${cfg.ha.nodes[0]!.pgPort} \\(started by serve\\)`),
    );
    assert.match(serve.stderr, /applied \d+ change\(s\) to bill_inquiry_db/);
    assert.match(serve.stderr, /supervising etcd, patroni node1, patroni node2, patroni node3/);

    const tokens = await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        const r = await ha.cli(['token', '--user', `ha-load-${w}`, '--line', line(w)]);
        return r.stdout.trim().split('\n').at(-1)!;
      }),
    );
    const topology = openTopology(cfg);
    /** How many of `ids` are in bill_inquiry_history on the current primary (0 when it cannot be asked). */
    const durable = async (ids: string[]) => {
      try {
        const rows = await queryOnce<{ n: string }>(
          await topology.admin('bill_inquiry_db'),
          'SELECT count(*) AS n FROM bill_inquiry_history WHERE request_id = ANY($1::text[])',
          [ids],
        );
        return Number(rows[0]!.n);
      } catch {
        topology.locator.invalidate?.();
        return 0;
      }
    };

    const acked: Array<{ id: string; at: number; writer: number }> = [];
    let failures = 0;
    let stop = false;
    const writer = async (w: number) => {
      while (!stop) {
        try {
          const res = await fetch(`${base}/bills/inquiry`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens[w]}`, 'content-type': 'application/json' },
            body: JSON.stringify({ lineNumber: line(w) }),
            signal: AbortSignal.timeout(5000),
          });
          const body = (await res.json()) as { data?: { requestId?: string } };
          if ((res.status === 200 || res.status === 202) && body.data?.requestId)
            acked.push({ id: body.data.requestId, at: Date.now(), writer: w });
          else failures++;
        } catch {
          failures++;
        }
        await sleep(20);
      }
    };
    const load = Array.from({ length: WRITERS }, (_, w) => writer(w));

    /** Kills, then measures until a write acknowledged after the kill is durable on the (new) primary. */
    const crash = async (what: 'postgres' | 'node') => {
      await waitHealthy(cfg);
      await sleep(2000);
      const before = await haStatus(cfg);
      // What a chaos drill would do: the topology names the processes of each member.
      const leader = (await topology.local!.processes()).find((p) => p.member === before.leader)!;
      const postmaster = leader.postmaster!;
      const patroni = leader.patroni!;
      const killedAt = Date.now();
      if (what === 'node') process.kill(patroni, 'SIGKILL');
      process.kill(postmaster, 'SIGKILL');
      let backAt = 0;
      while (!backAt && Date.now() - killedAt < 60_000) {
        const since = acked.filter((a) => a.at > killedAt).map((a) => a.id);
        if (since.length && (await durable(since)) > 0) backAt = Date.now();
        else await sleep(100);
      }
      const seconds = (backAt - killedAt) / 1000;
      const after = await waitHealthy(cfg);
      t.diagnostic(
        `kill -9 of the leader ${what === 'node' ? 'node (Patroni + postmaster)' : 'postmaster'} ${before.leader}: writes through the service durable again after ${seconds.toFixed(1)} s; new leader ${after.leader}`,
      );
      assert.ok(backAt > 0, `writes came back after the ${what} crash`);
      assert.ok(seconds <= 10, `writes through the service back within 10 s of the ${what} crash (${seconds} s)`);
      return { before: before.leader!, after: after.leader!, seconds };
    };

    try {
      const pm = await crash('postgres');
      assert.notEqual(pm.after, pm.before, 'Patroni promoted the synchronous standby');
      const node = await crash('node');
      assert.notEqual(node.after, node.before);
      assert.match(serve.stderr, new RegExp(`SUPERVISOR: patroni ${node.before} \\(pid \\d+\\) died`));
      const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
      assert.match(metrics, /^bill_inquiry_db_supervised 1$/m);
      assert.ok(Number(/^bill_inquiry_db_supervisor_restarts_total (\d+)$/m.exec(metrics)?.[1]) >= 1);
    } finally {
      stop = true;
      await Promise.all(load);
    }
    t.diagnostic(`${acked.length} inquiries acknowledged, ${failures} requests failed`);
    assert.ok(acked.length > 200, 'the service was really under load');
    // Every acknowledged inquiry is there afterwards, through the service (its history queue flushed to the new primary).
    const missing: string[] = [];
    for (const a of acked) {
      const r = await fetch(`${base}/bills/inquiry/${a.id}`, {
        headers: { authorization: `Bearer ${tokens[a.writer]}` },
      });
      if (r.status !== 200) missing.push(`${a.id}: ${r.status}`);
    }
    assert.deepEqual(missing, [], 'every acknowledged requestId answers 200');
    assert.equal(await durable(acked.map((a) => a.id)), acked.length, 'and every one is a row on the primary');

    assert.equal(await serve.stop(), 0, serve.stderr.slice(-3000));
    assert.match(serve.stderr, /ha cluster stopped \(serve had started it\)/);
    const st = await ha.cli(['--json', 'cluster', 'status']);
    assert.equal(json<{ ok: boolean }>(st).ok, false, 'serve stopped the topology it had started');
  },
);

async function waitHealthy(cfg: Parameters<typeof haStatus>[0]) {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const s = await haStatus(cfg).catch(() => undefined);
    if (s?.ok && s.leader && s.syncStandby) return s;
    if (Date.now() > deadline) throw new Error(`the HA cluster did not become healthy: ${JSON.stringify(s)}`);
    await sleep(500);
  }
}
