import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { test } from 'node:test';
import pg from 'pg';
import { findPgBinaries } from '../src/cluster/local/pgBinaries.js';
import { alive, livePid } from '../src/cluster/patroni/daemon.js';
import { nodePaths } from '../src/cluster/patroni/paths.js';
import { nodePostmasterPid, waitFor } from '../src/cluster/patroni/lifecycle.js';
import { openTopology } from '../src/topology/index.js';
import { haStatus } from '../src/cluster/patroni/status.js';
import { PITR_NOW } from '../src/drill/sql.js';
import { clientConfig } from '../src/db/connection.js';
import { serverUser } from '../src/system/osUser.js';
import { run } from '../src/system/run.js';
import { SecretStore } from '../src/system/secrets.js';
import { assertChaos } from './helpers/chaos.js';
import { json } from './helpers/cli.js';
import { haTestConfig } from './helpers/ha.js';

interface Member {
  name: string;
  role: string;
  state: string;
  port: number;
  timeline?: number;
  tags?: { nofailover?: boolean };
}
interface Status {
  ok: boolean;
  leader: string;
  syncStandby?: string;
  timeline: number;
  members: Member[];
}

test(
  'HA topology: up, roles, TLS, locator, switchover, failover drills, PITR drill, promote-replica, down',
  { timeout: 900_000 },
  async (t) => {
    const ha = await haTestConfig();
    const { cfg } = ha;
    const superuser = () => ({
      host: '127.0.0.1',
      database: 'postgres',
      user: 'postgres',
      password: new SecretStore(cfg.dataDir).get('postgres-superuser'),
      caFile: `${cfg.dataDir}/tls/ca.crt`,
    });

    await t.test('cluster up --ha: leader, synchronous standby, nofailover read replica', async () => {
      const up = await ha.cli(['--json', 'cluster', 'up', '--ha']);
      assert.equal(up.code, 0, up.stderr + up.stdout);
      const s = json<Status>(up);
      assert.equal(s.ok, true);
      assert.equal(s.leader, 'node1');
      assert.equal(s.syncStandby, 'node2', 'the second node is the synchronous standby');
      const node3 = s.members.find((m) => m.name === 'node3')!;
      assert.equal(node3.role, 'replica');
      assert.equal(node3.tags?.nofailover, true, 'the read replica never becomes primary');
      const again = await ha.cli(['--json', 'cluster', 'up', '--ha']);
      assert.equal(again.code, 0, 'up on a running topology is idempotent');
    });

    await t.test('nodes run the plan parameters, archive WAL, and refuse non-TLS', async () => {
      const leader = cfg.ha.nodes[0]!;
      const c = new pg.Client(clientConfig({ ...superuser(), port: leader.pgPort }));
      await c.connect();
      try {
        const show = async (p: string) => (await c.query<Record<string, string>>(`SHOW ${p}`)).rows[0]![p];
        assert.equal(await show('max_connections'), '200');
        assert.equal(await show('ssl'), 'on');
        assert.equal(await show('password_encryption'), 'scram-sha-256');
        assert.equal(await show('archive_mode'), 'on');
        assert.match((await show('archive_command'))!, /pgbackrest .*archive-push/);
        assert.match((await show('synchronous_standby_names'))!, /node2/);
      } finally {
        await c.end();
      }
      const plain = new pg.Client({ ...clientConfig({ ...superuser(), port: leader.pgPort }), ssl: false });
      await assert.rejects(plain.connect(), /no pg_hba.conf entry|rejects connection/);
    });

    await t.test('the Patroni locator finds the leader and prefers the async replica for reads', async () => {
      const loc = openTopology(cfg).locator;
      assert.equal((await loc.primary()).port, cfg.ha.nodes[0]!.pgPort);
      // A REST probe can miss its 700 ms on a busy machine: then that lookup falls back to the sync standby.
      let replica: number | undefined;
      for (let i = 0; i < 20 && replica !== cfg.ha.nodes[2]!.pgPort; i++) {
        loc.invalidate?.();
        replica = (await loc.replica())?.port;
      }
      assert.equal(replica, cfg.ha.nodes[2]!.pgPort);
    });

    await t.test('cluster switchover moves the leader to the sync standby; status shows a new timeline', async () => {
      const sw = await ha.cli(['--json', 'cluster', 'switchover']);
      assert.equal(sw.code, 0, sw.stderr + sw.stdout);
      const r = json<{ from: string; to: string; status: Status }>(sw);
      assert.deepEqual([r.from, r.to], ['node1', 'node2']);
      const st = json<Status>(await ha.cli(['--json', 'cluster', 'status']));
      assert.equal(st.leader, 'node2');
      assert.ok(st.timeline >= 2, `timeline advanced (${st.timeline})`);
      assert.equal(st.ok, true, 'the old leader rejoined as a standby');
      const loc = openTopology(cfg).locator;
      assert.equal((await loc.primary()).port, cfg.ha.nodes[1]!.pgPort, 'the locator follows the switchover');
      const refused = await ha.cli(['cluster', 'switchover', '--to', 'node3']);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /node3 is the read replica \(nofailover\)/);
    });

    for (const via of ['service', 'direct'] as const) {
      await t.test(`drill failover --via ${via}: kill -9 of the leader postmaster under load`, async () => {
        const r = await ha.cli(['--json', 'drill', 'failover', '--via', via]);
        const d = json<{
          ok: boolean;
          unavailable_s: number;
          lost_acknowledged_writes: number;
          failed_requests: number;
          slowest_failure_ms: number;
          acknowledged_writes: number;
          leader_before: string;
          leader_after: string;
        }>(r);
        t.diagnostic(`failover drill (${via}): ${JSON.stringify(d)}`);
        assert.equal(r.code, 0, r.stderr + r.stdout);
        assert.equal(d.lost_acknowledged_writes, 0, 'no acknowledged write lost');
        assert.ok(d.unavailable_s <= 10, `writes durable again within 10 s (${d.unavailable_s})`);
        assert.ok(d.slowest_failure_ms < 6000, `failures are fast, not hangs (${d.slowest_failure_ms} ms)`);
        assert.ok(d.acknowledged_writes > 100, 'the drill really wrote under load');
        assert.notEqual(d.leader_after, d.leader_before, 'Patroni promoted the synchronous standby');
        assert.equal((await haStatus(cfg)).ok, true, 'the crashed node rejoined');
      });
    }

    await t.test(
      'cluster up --ha on a running cluster starts a lost member, which rejoins the current leader',
      async () => {
        const before = await haStatus(cfg);
        // A fresh start waits for the first node to lead: only a cluster led by another node tells the two paths apart.
        assert.notEqual(before.leader, cfg.ha.nodes[0]!.name, 'precondition: the drills left another node leading');
        const lost = cfg.ha.nodes.find((n) => n.name === before.syncStandby)!;
        const patroni = livePid(nodePaths(cfg, lost).pidFile)!;
        const postmaster = nodePostmasterPid(cfg, lost)!;
        process.kill(patroni, 'SIGKILL');
        process.kill(postmaster, 'SIGKILL');
        while ([patroni, postmaster].some(alive)) await new Promise((r) => setTimeout(r, 50));
        const up = await ha.cli(['--json', 'cluster', 'up', '--ha']);
        assert.equal(up.code, 0, up.stderr + up.stdout);
        assert.match(up.stderr, new RegExp(`starting ${lost.name}: it rejoins the running cluster`));
        const s = json<Status>(up);
        assert.equal(s.ok, true);
        assert.equal(s.leader, before.leader, 'the leader did not change');
        assert.match(
          s.members.find((m) => m.name === lost.name)?.state ?? '',
          /^(streaming|running)$/,
          `${lost.name} is back`,
        );
      },
    );

    await t.test(
      'drill failover --crash node: the leader node (Patroni and postmaster) vanishes; the lock expires, the standby takes over, the node rejoins',
      async () => {
        const r = await ha.cli(['--json', 'drill', 'failover', '--via', 'direct', '--crash', 'node']);
        const d = json<{
          ok: boolean;
          crash: string;
          unavailable_s: number;
          lost_acknowledged_writes: number;
          acknowledged_writes: number;
          leader_before: string;
          leader_after: string;
          target_s: number;
        }>(r);
        t.diagnostic(`failover drill (node crash): ${JSON.stringify(d)}`);
        assert.equal(r.code, 0, r.stderr + r.stdout);
        assert.equal(d.crash, 'node');
        assert.equal(d.lost_acknowledged_writes, 0, 'no acknowledged write lost');
        assert.ok(
          d.unavailable_s <= cfg.ha.drillTargets.nodeCrashS,
          `writes durable again within the plan's ${cfg.ha.drillTargets.nodeCrashS} s (${d.unavailable_s})`,
        );
        assert.ok(d.acknowledged_writes > 100, 'the drill really wrote under load');
        assert.notEqual(d.leader_after, d.leader_before);
        const s = await haStatus(cfg);
        assert.equal(s.ok, true, 'the crashed node was started again and rejoined');
        assert.match(
          s.members.find((m) => m.name === d.leader_before)?.role ?? '',
          /^(replica|sync_standby)$/,
          'the old leader came back as a standby',
        );
      },
    );

    await t.test(
      'drill chaos --duration 60 --instances 2: through HAProxy, the leader killed and stalled, an instance killed, KOS failing; nothing acknowledged lost',
      async (st) => {
        const r = await ha.cli(['--json', 'drill', 'chaos', '--duration', '60', '--instances', '2'], {
          timeoutMs: 400_000,
        });
        const d = assertChaos(st, r, 'ha', 2);
        assert.ok(existsSync(path.join(d.logs, 'haproxy.cfg')));
        assert.ok(existsSync(path.join(d.logs, 'serve-2.log')));
        await waitFor(cfg, 'the cluster healthy again', async () => (await haStatus(cfg)).ok);
      },
    );

    await t.test('drill pitr on the HA cluster (backups from the standby)', async () => {
      const r = await ha.cli(['--json', 'drill', 'pitr', '--rows', '200']);
      const d = json<{
        ok: boolean;
        restore_s: number;
        rows_missing_before_target: number;
        rows_present_after_target: number;
      }>(r);
      t.diagnostic(`pitr drill (HA): ${JSON.stringify(d)}`);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.equal(d.rows_missing_before_target, 0);
      assert.equal(d.rows_present_after_target, 0);
    });

    await t.test(
      'restore --switch on HA: Patroni rebuilds the topology around the verified restore, as of the target',
      async () => {
        const onNode = async <T>(port: number, fn: (c: pg.Client) => Promise<T>) => {
          const c = new pg.Client(clientConfig({ ...superuser(), port }));
          await c.connect();
          try {
            return await fn(c);
          } finally {
            await c.end();
          }
        };
        const { leader } = await haStatus(cfg);
        const target = await onNode(cfg.ha.nodes.find((n) => n.name === leader)!.pgPort, async (c) => {
          await c.query(
            'DROP TABLE IF EXISTS switch_probe; CREATE TABLE switch_probe (id int PRIMARY KEY); INSERT INTO switch_probe VALUES (1)',
          );
          const at = (await c.query<{ now: string }>(PITR_NOW)).rows[0]!.now;
          await new Promise((r) => setTimeout(r, 50));
          // The change to undo: after the target.
          await c.query('INSERT INTO switch_probe VALUES (2)');
          return at;
        });
        const into = mkdtempSync(path.join(os.tmpdir(), 'bi-ha-switch-'));
        t.after(() => rmSync(into, { recursive: true, force: true }));
        const r = await ha.cli(['--json', 'restore', '--to', target, '--into', into, '--switch']);
        assert.equal(r.code, 0, r.stderr + r.stdout);
        const out = json<{
          ok: boolean;
          switched: {
            leader: string;
            primary: { port: number; running: boolean };
            previousMembers: Record<string, string>;
          };
        }>(r);
        assert.equal(out.switched.leader, cfg.ha.nodes[0]!.name);
        assert.equal(out.switched.primary.running, true);
        for (const n of cfg.ha.nodes)
          assert.ok(existsSync(out.switched.previousMembers[n.name]!), `${n.name}'s previous data is kept`);
        const s = await haStatus(cfg);
        assert.equal(s.ok, true, 'every member runs again');
        assert.equal(s.leader, cfg.ha.nodes[0]!.name);
        assert.ok(s.syncStandby, 'a synchronous standby attached again');
        const ids = (port: number) =>
          onNode(port, async (c) =>
            (await c.query<{ id: number }>('SELECT id FROM switch_probe ORDER BY id')).rows.map((x) => x.id),
          );
        assert.deepEqual(await ids(out.switched.primary.port), [1], 'the leader holds the data as of the target');
        // The read replica was cloned from the restored leader.
        assert.deepEqual(await ids(cfg.ha.nodes[2]!.pgPort), [1]);
      },
    );

    await t.test('cluster promote-replica: the async read replica becomes an independent primary', async () => {
      const r = await ha.cli(['--json', 'cluster', 'promote-replica']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.equal(json<{ promoted: string }>(r).promoted, 'node3');
      const c = new pg.Client(clientConfig({ ...superuser(), port: cfg.ha.nodes[2]!.pgPort }));
      await c.connect();
      try {
        assert.equal((await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r, false);
        await c.query('CREATE TABLE region_failover_probe (id int)');
      } finally {
        await c.end();
      }
    });

    await t.test('cluster down stops Patroni, PostgreSQL and etcd', async () => {
      assert.equal((await ha.cli(['cluster', 'down'])).code, 0);
      const st = await ha.cli(['--json', 'cluster', 'status']);
      assert.equal(st.code, 1, 'status is non-zero when the HA cluster is down');
      for (const n of cfg.ha.nodes) assert.equal(await listening(n.pgPort), false, `${n.name} stopped`);
      assert.equal(await listening(cfg.ha.etcdClientPort), false, 'etcd stopped');
    });

    await t.test('cluster up --ha refuses a node data dir that a foreign PostgreSQL is using', async () => {
      const node3 = nodePaths(cfg, cfg.ha.nodes[2]!);
      const user = serverUser(cfg.cluster.osUser);
      const pgCtl = findPgBinaries(cfg.cluster, user).bin('pg_ctl');
      await run(pgCtl, ['-D', node3.pgdata, '-l', `${node3.root}/foreign.log`, '-w', 'start'], { as: user });
      try {
        const r = await ha.cli(['cluster', 'up', '--ha']);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /is in use by a PostgreSQL \(pid \d+\) that this tool's Patroni does not manage/);
      } finally {
        await run(pgCtl, ['-D', node3.pgdata, '-m', 'fast', '-w', 'stop'], { as: user });
      }
    });
  },
);

test('HA failure paths: etcd down at start, etcd port taken', async () => {
  const external = await haTestConfig({ manageEtcd: false });
  const r = await external.cli(['cluster', 'up', '--ha']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /^error: etcd is not reachable at http:\/\/127\.0\.0\.1:\d+.*start etcd/m);

  const taken = await haTestConfig();
  const blocker = net.createServer().listen(taken.cfg.ha.etcdClientPort, '127.0.0.1');
  await new Promise((res) => blocker.once('listening', res));
  try {
    const busy = await taken.cli(['cluster', 'up', '--ha']);
    assert.notEqual(busy.code, 0);
    assert.match(busy.stderr, /etcd port \d+ on 127\.0\.0\.1 is already in use/);
  } finally {
    blocker.close();
  }
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}
