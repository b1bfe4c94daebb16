import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { clientConfig } from '../src/db/connection.js';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { freePort } from '../src/system/freePort.js';
import { SecretStore } from '../src/system/secrets.js';
import { cli, json, startCli, type RunningCli } from './helpers/cli.js';
import { haTestConfig } from './helpers/ha.js';
import { secretsInLogs } from './helpers/secrets.js';
import { superuserOn, tempDataDir } from './helpers/tempCluster.js';

const LINE = '010-1234-5678';
// CPU is judged against a limit no busy test machine reaches: other test files share these cores.
const ENV = { BILL_INQUIRY__MONITOR__ALERTS__CPU_PERCENT__THRESHOLD: '101', BILL_INQUIRY_ADMIN_URL: '' };

interface MemberReport {
  name: string;
  role: string;
  tls: { ssl: string; minProtocol: string; thisConnection: string };
  parameters: { ok: boolean; mismatched: string[] };
  replication: { replicas?: Array<{ name: string; state: string; syncState: string }>; receiver?: string };
}

/** The README's curl examples, in order, against a running service. */
async function readmeExamples(base: string, token: string) {
  const auth = { authorization: `Bearer ${token}` };
  const menu = await fetch(`${base}/bills/menu`, { headers: auth });
  assert.equal(menu.status, 200);
  const month = availableMonths(currentMonth('Asia/Seoul'), 2)[1]!;
  const inquiry = await fetch(`${base}/bills/inquiry`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ lineNumber: LINE, inquiryMonth: month }),
  });
  assert.equal(inquiry.status, 200);
  const id = ((await inquiry.json()) as any).data.requestId as string;
  assert.equal((await fetch(`${base}/bills/inquiry/${id}`, { headers: auth })).status, 200);
  const history = await fetch(`${base}/bills/history?page=1&size=20`, { headers: auth });
  assert.equal(history.status, 200);
  assert.equal((await fetch(`${base}/metrics`)).status, 200);
  return id;
}

test(
  'HA topology as a user runs it: cluster up --ha, db apply, db verify, serve, backup, check daily; the same cluster as an external one',
  { timeout: 1_500_000 },
  async (t) => {
    const ha = await haTestConfig();
    const { cfg } = ha;
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) => ha.cli(args, { env: { ...ENV, ...env } });
    const superuser = new SecretStore(cfg.dataDir);
    const leaderPort = async () => {
      const s = json<{ leader: string }>(await run(['--json', 'cluster', 'status']));
      return cfg.ha.nodes.find((n) => n.name === s.leader)!.pgPort;
    };
    let serve: RunningCli | undefined;
    t.after(async () => void (await serve?.stop()));

    await t.test(
      'on a fresh data dir: cluster up --ha && db apply && db verify --json, every member reported',
      async () => {
        const up = await run(['--json', 'cluster', 'up', '--ha']);
        assert.equal(up.code, 0, up.stderr + up.stdout);
        const apply = await run(['--json', 'db', 'apply']);
        assert.equal(apply.code, 0, apply.stderr + apply.stdout);
        assert.match(
          apply.stderr,
          new RegExp(
            `applying bill_inquiry_db on the ha topology's primary 127\\.0\\.0\\.1:${cfg.ha.nodes[0]!.pgPort}`,
          ),
        );
        assert.ok(json<{ changes: unknown[] }>(apply).changes.length > 20);
        const verify = await run(['--json', 'db', 'verify']);
        const v = json<{
          ok: boolean;
          checks: Array<{ id: string; ok: boolean; detail: string }>;
          members: MemberReport[];
        }>(verify);
        assert.equal(
          verify.code,
          0,
          v.checks
            ?.filter((c) => !c.ok)
            .map((c) => `${c.id}: ${c.detail}`)
            .join('\n') ?? verify.stderr,
        );
        assert.equal(v.ok, true);
        assert.deepEqual(
          v.members.map((m) => [m.name, m.role]),
          [
            ['node1', 'primary'],
            ['node2', 'replica'],
            ['node3', 'replica'],
          ],
        );
        for (const m of v.members) {
          assert.equal(m.tls.ssl, 'on', `${m.name} TLS`);
          assert.match(m.tls.thisConnection, /^TLSv1\.[23]$/, `${m.name}: the verifier's own connection is encrypted`);
          assert.equal(m.parameters.ok, true, `${m.name} parameters: ${m.parameters.mismatched.join('; ')}`);
        }
        const leader = v.members[0]!.replication.replicas!;
        assert.deepEqual(
          leader.map((r) => [r.name, r.state]),
          [
            ['node2', 'streaming'],
            ['node3', 'streaming'],
          ],
        );
        assert.equal(leader.find((r) => r.name === 'node2')!.syncState, 'sync', 'node2 is the synchronous standby');
        assert.equal(v.members[2]!.replication.receiver, 'streaming');
        assert.ok(v.checks.some((c) => c.id === 'member.node3.replication' && c.ok));
        // The standbys follow by replication: the read replica has the applied schema.
        const c = new pg.Client(clientConfig(superuserOn(cfg.dataDir, cfg.ha.nodes[2]!.pgPort, 'bill_inquiry_db')));
        await c.connect();
        try {
          assert.equal((await c.query<{ n: string }>('SELECT count(*) AS n FROM system_config')).rows[0]!.n, '13');
        } finally {
          await c.end();
        }
      },
    );

    await t.test(
      'serve on the HA data dir answers the README examples from the leader, reads history on the async replica, follows a switchover',
      async () => {
        const port = await freePort();
        serve = startCli(['-c', ha.configFile, 'serve', '--port', String(port)], { env: { ...process.env, ...ENV } });
        await serve.waitFor('Ctrl-C', 240_000);
        assert.match(
          serve.stderr,
          new RegExp(`ha topology: primary on 127\\.0\\.0\\.1:${cfg.ha.nodes[0]!.pgPort} \\(was running\\)`),
        );
        assert.match(serve.stderr, /serve does not supervise or stop it/);
        const base = `http://127.0.0.1:${port}`;
        const tok = await run(['token', '--user', 'ha-user', '--line', LINE]);
        const token = tok.stdout.trim().split('\n').at(-1)!;
        await readmeExamples(base, token);
        const ready = (await fetch(`${base}/ready`).then((r) => r.json())) as any;
        assert.equal(ready.data.topology, 'ha');
        assert.equal(ready.data.primary.endpoint, `127.0.0.1:${cfg.ha.nodes[0]!.pgPort}`);
        assert.equal(ready.data.replica.state, 'healthy', 'the async read replica takes the history reads');
        const replicaReads = new pg.Client(clientConfig(superuserOn(cfg.dataDir, cfg.ha.nodes[2]!.pgPort)));
        await replicaReads.connect();
        try {
          const n = await replicaReads.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'bill-inquiry-service-replica' AND usename = 'bill_readonly_user'`,
          );
          assert.ok(Number(n.rows[0]!.n) >= 1, 'the service reads from node3 as bill_readonly_user');
        } finally {
          await replicaReads.end();
        }
        const sw = await run(['--json', 'cluster', 'switchover']);
        assert.equal(sw.code, 0, sw.stderr + sw.stdout);
        const after = cfg.ha.nodes[1]!.pgPort;
        let endpoint = '';
        for (let i = 0; i < 100 && endpoint !== `127.0.0.1:${after}`; i++) {
          endpoint = ((await fetch(`${base}/ready`).then((r) => r.json())) as any).data?.primary?.endpoint ?? '';
          if (endpoint !== `127.0.0.1:${after}`) await new Promise((r) => setTimeout(r, 200));
        }
        assert.equal(endpoint, `127.0.0.1:${after}`, 'the service follows the switchover without restart');
        await readmeExamples(base, token);
      },
    );

    await t.test('backup run, then check daily --json passes and monitor sees all three members', async () => {
      const b = await run(['--json', 'backup', 'run', '--type', 'full']);
      assert.equal(b.code, 0, b.stderr + b.stdout);
      const daily = await run(['--json', 'check', 'daily']);
      const d = json<{ ok: boolean; items: Array<{ id: string; status: string; detail: string }> }>(daily);
      t.diagnostic(`check daily on HA: ${d.items.map((i) => `${i.id}=${i.status}`).join(' ')}`);
      assert.equal(daily.code, 0, JSON.stringify(d.items.filter((i) => i.status === 'fail')));
      const server = d.items.find((i) => i.id === 'server')!;
      assert.equal(server.status, 'pass', server.detail);
      for (const n of cfg.ha.nodes)
        assert.match(server.detail, new RegExp(`${n.name} \\((primary|replica), port ${n.pgPort}\\): up`));
      const errorLog = d.items.find((i) => i.id === 'error-log')!;
      assert.match(errorLog.detail, /not counted: \d+ refusal\(s\) provoked by db verify's probes/);
      assert.doesNotMatch(errorLog.detail, /permission denied/, "db verify's probes are left out of the review");
      const alerts = await run(['--json', 'monitor', 'alerts']);
      const a = json<{ alerts: Array<{ name: string; firing: boolean; detail: string }> }>(alerts);
      const down = a.alerts.find((x) => x.name === 'instanceDown')!;
      assert.equal(down.firing, false, down.detail);
      assert.equal(down.detail, 'all members answer');
      const snap = json<{ members: Array<{ name: string; up: boolean }>; streamingReplicas: number }>(
        await run(['monitor', 'snapshot']),
      );
      assert.deepEqual(
        snap.members.map((m) => [m.name, m.up]),
        cfg.ha.nodes.map((n) => [n.name, true]),
      );
      assert.equal(snap.streamingReplicas, 2);
    });

    await t.test(
      'the same Patroni cluster as an external topology: db apply --admin-url (multi-host), serve through its REST API; nothing started or supervised',
      async () => {
        const dataDir = tempDataDir('bi-external-');
        // The team's secret store: the login roles' passwords and the column keys the running service uses.
        cpSync(path.join(cfg.dataDir, 'secrets'), path.join(dataDir, 'secrets'), { recursive: true });
        const ca = path.join(cfg.dataDir, 'tls', 'ca.crt');
        const external = (database: Record<string, unknown>) => {
          const file = path.join(dataDir, `external-${Object.keys(database)[0]}.json`);
          // An external server's RAM is the operator's to state: each node here has a third of the test's 1536 MB.
          const server = { memoryMb: Math.floor(cfg.server.memoryMb! / cfg.ha.nodes.length) };
          writeFileSync(file, JSON.stringify({ dataDir, server, service: { database: { ...database, caFile: ca } } }));
          return (args: string[]) => cli(['-c', file, ...args], { env: ENV, timeoutMs: 240_000 });
        };
        const viaPatroni = external({ patroni: { urls: cfg.ha.nodes.map((n) => `https://127.0.0.1:${n.restPort}`) } });
        const viaHosts = external({ hosts: cfg.ha.nodes.map((n) => ({ host: '127.0.0.1', port: n.pgPort })) });
        const hosts = cfg.ha.nodes.map((n) => `127.0.0.1:${n.pgPort}`).join(',');
        const hostList = hosts.replace(/,/g, ', ');
        const adminUrl = `postgres://postgres:${encodeURIComponent(superuser.get('postgres-superuser'))}@${hosts}/postgres?sslmode=verify-full&sslrootcert=${ca}`;

        const refused = await viaPatroni(['db', 'apply']);
        assert.notEqual(refused.code, 0);
        assert.match(
          refused.stderr,
          /the database is external \(service\.database\): this tool has no superuser for it.*--admin-url/,
        );
        const apply = await viaPatroni(['--json', 'db', 'apply', '--admin-url', adminUrl]);
        assert.equal(apply.code, 0, apply.stderr + apply.stdout);
        assert.match(
          apply.stderr,
          new RegExp(`on 127\\.0\\.0\\.1:${await leaderPort()} \\(the primary of ${hostList.replace(/\./g, '\\.')}\\)`),
        );
        // The switchover of an earlier step leaves the old leader catching up for a moment on a
        // busy machine: a replica not streaming yet is a true answer then, so ask again while
        // only replication checks fail (as an operator would after a switchover).
        let verify = await viaPatroni(['--json', 'db', 'verify', '--admin-url', adminUrl]);
        for (let i = 0; i < 10 && verify.code !== 0 && onlyReplicationFails(verify.stdout); i++) {
          await new Promise((r) => setTimeout(r, 2000));
          verify = await viaPatroni(['--json', 'db', 'verify', '--admin-url', adminUrl]);
        }
        assert.equal(verify.code, 0, failedChecks(verify.stdout));
        assert.equal(json<{ members: unknown[] }>(verify).members.length, 3);

        for (const [how, cmd] of [
          ['patroni', viaPatroni],
          ['hosts', viaHosts],
        ] as const) {
          const st = await cmd(['--json', 'cluster', 'status']);
          const s = json<{ kind: string; ok: boolean; members: Array<{ running: boolean; role?: string }> }>(st);
          assert.equal(st.code, 0, `${how}: ${st.stdout}`);
          assert.equal(s.kind, 'external');
          assert.equal(s.members.filter((m) => m.running).length, 3, `${how}: every member answers`);
          assert.equal(s.members.filter((m) => m.role === 'primary' || m.role === 'leader').length, 1);
        }
        const notOurs = await viaPatroni(['cluster', 'up']);
        assert.notEqual(notOurs.code, 0);
        assert.match(
          notOurs.stderr,
          /the database is external \(service\.database\): this tool runs no servers for it/,
        );

        const port = await freePort();
        const file = path.join(dataDir, 'external-patroni.json');
        const extServe = startCli(['-c', file, 'serve', '--port', String(port), '--kos-mock'], {
          env: { ...process.env, ...ENV },
        });
        try {
          await extServe.waitFor('Ctrl-C', 120_000);
          assert.match(
            extServe.stderr,
            /external database \(service\.database, Patroni REST https:\/\/127\.0\.0\.1:\d+.*\): nothing started, applied or supervised/,
          );
          const base = `http://127.0.0.1:${port}`;
          const token = (await cli(['-c', file, 'token', '--user', 'ext-user', '--line', LINE])).stdout
            .trim()
            .split('\n')
            .at(-1)!;
          await readmeExamples(base, token);
          const ready = (await fetch(`${base}/ready`).then((r) => r.json())) as any;
          assert.equal(ready.data.topology, 'external');
          assert.equal(ready.data.primary.endpoint, `127.0.0.1:${await leaderPort()}`);
          const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
          assert.match(metrics, /^bill_inquiry_db_supervised 0$/m);
          // A switchover in the external cluster: the service follows it through Patroni's REST API.
          const sw = await run(['--json', 'cluster', 'switchover']);
          assert.equal(sw.code, 0, sw.stderr + sw.stdout);
          const leader = `127.0.0.1:${await leaderPort()}`;
          let endpoint = '';
          for (let i = 0; i < 100 && endpoint !== leader; i++) {
            endpoint = ((await fetch(`${base}/ready`).then((r) => r.json())) as any).data?.primary?.endpoint ?? '';
            if (endpoint !== leader) await new Promise((r) => setTimeout(r, 200));
          }
          assert.equal(endpoint, leader);
          await readmeExamples(base, token);
        } finally {
          assert.equal(await extServe.stop(), 0, extServe.stderr.slice(-3000));
        }
        assert.doesNotMatch(extServe.stderr, /cluster stopped|SUPERVISOR/);
        assert.equal(json<{ ok: boolean }>(await run(['--json', 'cluster', 'status'])).ok, true, 'the cluster runs on');
      },
    );

    await t.test('no secret of the secret store in any server, Patroni or etcd log of the HA topology', async () => {
      await serve?.stop();
      serve = undefined;
      assert.deepEqual(secretsInLogs(cfg.dataDir), []);
    });
  },
);

function onlyReplicationFails(stdout: string): boolean {
  const failed = JSON.parse(failedChecks(stdout)) as Array<{ id: string }>;
  return failed.length > 0 && failed.every((c) => /^member\.[^.]+\.replication$/.test(c.id));
}

/** The failed checks of a `db verify --json` answer (the whole answer is too long for a message). */
function failedChecks(stdout: string): string {
  try {
    const r = JSON.parse(stdout) as { checks: Array<{ id: string; ok: boolean; detail?: string }> };
    return JSON.stringify(r.checks.filter((c) => !c.ok));
  } catch {
    return JSON.stringify([{ id: 'unparsed', ok: false, detail: stdout.slice(0, 3000) }]);
  }
}
