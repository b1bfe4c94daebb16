import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Supervisor, type SupervisorEvent } from '../../src/cluster/local/supervisor.js';
import { loadConfig } from '../../src/config/load.js';
import { renderHaproxyConfig } from '../../src/lb/haproxyConfig.js';
import { serveBudget } from '../../src/platform/connectionBudget.js';
import { poll, waitUntil } from '../../src/system/poll.js';
import { parseAdminUrl } from '../../src/topology/adminUrl.js';
import { topologyKind } from '../../src/topology/open.js';

const cfg = (overrides: Record<string, unknown> = {}) =>
  loadConfig({ env: {}, overrides: { dataDir: '/nonexistent/bi-unit', ...overrides } });

test('admin URL: one host, several hosts (libpq multi-host form), TLS required', () => {
  const one = parseAdminUrl(
    'postgres://postgres:p%40ss@db.example:6432/postgres?sslmode=verify-full&sslrootcert=/ca.crt',
  );
  assert.deepEqual(one.hosts, [{ host: 'db.example', port: 6432 }]);
  assert.deepEqual(one.template, { database: 'postgres', user: 'postgres', password: 'p@ss', caFile: '/ca.crt' });
  const many = parseAdminUrl('postgresql://admin:x@10.0.0.1:5432,10.0.0.2,10.0.0.3:5433/postgres');
  assert.deepEqual(many.hosts, [
    { host: '10.0.0.1', port: 5432 },
    { host: '10.0.0.2', port: 5432 },
    { host: '10.0.0.3', port: 5433 },
  ]);
  assert.throws(() => parseAdminUrl('postgres://u:p@h:1/postgres?sslmode=disable'), /sslmode=disable would allow/);
  assert.throws(() => parseAdminUrl('mysql://u:p@h:1/x'), /must start with postgres:\/\//);
  assert.throws(() => parseAdminUrl('postgres://h:1/x'), /names no user/);
  assert.throws(() => parseAdminUrl('postgres://u:p@h:1,:x/db'), /is not HOST or HOST:PORT/);
});

test('topology kind: external when service.database is set, else plain (ha once cluster up --ha marked the data dir)', () => {
  assert.equal(topologyKind(cfg()), 'plain');
  const ext = cfg({ service: { database: { hosts: [{ host: '127.0.0.1', port: 5432 }] } } });
  assert.equal(topologyKind(ext), 'external');
  assert.throws(
    () => cfg({ service: { database: { hosts: [{ host: 'a', port: 1 }], primary: { host: 'b', port: 2 } } } }),
    /set exactly one of primary, hosts or patroni/,
  );
});

test('serve budget: instances × workers × (pool + listener) + reserve against max_connections and the 90 % alert', () => {
  const one = serveBudget(cfg({ pool: { instances: 1 } }));
  assert.equal(one.warn, false);
  assert.match(one.message, /1 instance\(s\) × 16 \(pool 15 \+ 1 listener\) \+ 10 reserve = 26 of 197 .*alert at 180/);
  assert.equal(
    serveBudget(cfg({ pool: { instances: 1 }, service: { workers: 10 } })).warn,
    false,
    '10 × 16 + 10 = 170',
  );
  const eleven = serveBudget(cfg({ pool: { instances: 1 }, service: { workers: 11 } }));
  assert.equal(eleven.warn, true, '11 × 16 + 10 = 186 reaches 180');
  assert.match(eleven.message, /full pools reach the connections alert/);
  const machines = serveBudget(cfg({ pool: { instances: 4 }, service: { workers: 4 } }));
  assert.match(machines.message, /4 instance\(s\) × 64 4 workers × \(pool 15 \+ 1 listener\) \+ 10 reserve = 266/);
  assert.match(machines.message, /the pools would exhaust the server/);
});

test('haproxy.cfg: health checks on /ready for every instance, redispatch, drain advice', () => {
  const c = cfg({
    lb: {
      port: 9000,
      instances: [
        { host: '127.0.0.1', port: 8081 },
        { host: '127.0.0.1', port: 8082 },
      ],
    },
  });
  const text = renderHaproxyConfig(c.lb, { drainMs: 2000 });
  assert.match(text, /bind 127\.0\.0\.1:9000/);
  assert.match(text, /option httpchk GET \/accepting/);
  assert.match(text, /http-check expect status 200/);
  assert.match(text, /server instance1 127\.0\.0\.1:8081 check\n {4}server instance2 127\.0\.0\.1:8082 check/);
  assert.match(text, /option redispatch/);
  assert.match(text, /shutdownDrainMs >= 1500 .*\n.*\(this config: 2000 ms, enough\)/);
  assert.match(renderHaproxyConfig(c.lb, { drainMs: 0 }), /too short/);
});

test('poll: the first truthy value; undefined after the timeout; abort ends it at once; waitUntil throws', async () => {
  let n = 0;
  assert.equal(await poll(() => (++n >= 3 ? n : undefined), { timeoutMs: 1000, intervalMs: 1 }), 3);
  assert.equal(await poll(() => false, { timeoutMs: 20, intervalMs: 5 }), undefined);
  await assert.rejects(
    poll(() => false, { timeoutMs: 1000, intervalMs: 1, abort: () => new Error('daemon exited') }),
    /daemon exited/,
  );
  await assert.rejects(
    waitUntil(
      () => {
        throw new Error('refused');
      },
      { timeoutMs: 20, intervalMs: 5, onTimeout: (last) => new Error(`gave up: ${(last as Error).message}`) },
    ),
    /gave up: refused/,
  );
});

test('supervisor: restarts a process that died, with growing pauses while restarts fail; never one it never saw alive', async () => {
  let pid: number | undefined = 100;
  let failures = 2;
  const attempts: number[] = [];
  const neverUp = { name: 'not ours', pid: () => undefined, restart: async () => assert.fail('must not be restarted') };
  const s = new Supervisor(
    [
      {
        name: 'postgres primary',
        pid: () => pid,
        restart: async () => {
          attempts.push(Date.now());
          if (failures-- > 0) throw new Error('shared memory still in use');
          pid = 200;
        },
      },
      neverUp,
    ],
    { checkIntervalMs: 5, backoffInitialMs: 20, backoffMaxMs: 40 },
  );
  const events: SupervisorEvent[] = [];
  s.on('event', (e) => events.push(e));
  s.start();
  pid = undefined; // kill -9
  await waitUntil(() => s.stats().restarts === 1, {
    timeoutMs: 2000,
    intervalMs: 5,
    onTimeout: () => new Error('no restart'),
  });
  await s.stop();
  assert.deepEqual(
    events.map((e) => e.type),
    ['down', 'restartFailed', 'restartFailed', 'restarted'],
  );
  assert.equal(s.stats().failedAttempts, 2);
  assert.deepEqual(s.stats().down, []);
  assert.ok(attempts[2]! - attempts[1]! >= attempts[1]! - attempts[0]!, 'the pause grows');
  const restarted = events.at(-1) as Extract<SupervisorEvent, { type: 'restarted' }>;
  assert.equal(restarted.attempts, 3);
});
