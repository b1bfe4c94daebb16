import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { connectionLimit } from '../../src/monitor/alerts/definitions.js';
import { evaluateAlerts } from '../../src/monitor/alerts/evaluate.js';
import type { DbSnapshot } from '../../src/monitor/db/collectDb.js';
import type { MonitorSnapshot } from '../../src/monitor/snapshot.js';

const cfg = loadConfig({ env: {}, file: undefined });

/** A healthy primary with one streaming replica; each test changes one figure. */
function snapshot(change: (s: MonitorSnapshot, db: DbSnapshot) => void = () => {}): MonitorSnapshot {
  const db = {
    connections: { used: 20, max: 200, reserved: 3 },
    inRecovery: false,
    replicas: [
      {
        application_name: 'replica',
        client_addr: null,
        state: 'streaming',
        sync_state: 'async',
        lag_seconds: 0.2,
        lag_bytes: 0,
      },
    ],
    archiver: {
      archived_count: 10,
      failed_count: 0,
      last_archived_time: new Date(),
      last_failed_time: null,
      last_failed_wal: null,
      archive_mode: 'on',
    },
  } as unknown as DbSnapshot;
  const primary = { name: 'primary', port: 5432, running: true, up: true, role: 'primary' as const, db };
  const s: MonitorSnapshot = {
    at: new Date().toISOString(),
    members: [primary, { name: 'replica', port: 5433, running: true, up: true, role: 'replica' }],
    primary,
    expectedReplicas: 1,
    streamingReplicas: 1,
    host: {
      cpuPercent: 10,
      memoryPercent: 40,
      memoryTotalBytes: 1,
      diskPercent: 30,
      diskTotalBytes: 1,
      diskUsedBytes: 1,
      diskPath: '/',
    },
    failedConnectionsLastMin: 0,
    deadLetterRows: 0,
    journal: { bytes: 0, budgetUsedPercent: 0 },
    backup: { configured: true, ageHours: 1, lastSuccessAt: new Date().toISOString(), repos: [] },
    service: {
      breaker: 'CLOSED',
      cache: { hits: 1, misses: 1, size: 1, hitRatio: 0.5 },
      history: { queued: 0, flushed: 0, failedFlushes: 0, lastFlushLagMs: 0 },
      pools: {},
      http: { ratePerS: 1, p99Ms: 20, requests: 10 },
    },
  };
  change(s, db);
  return s;
}

const firing = (s: MonitorSnapshot): string[] =>
  evaluateAlerts(cfg, s)
    .filter((a) => a.firing)
    .map((a) => a.name);

test('a healthy snapshot fires nothing', () => {
  assert.deepEqual(firing(snapshot()), []);
});

test('each §8.1 threshold fires at its value and not one below', () => {
  const cases: Array<[string, (s: MonitorSnapshot, db: DbSnapshot, v: number) => void, number]> = [
    ['cpuPercent', (s, _db, v) => (s.host!.cpuPercent = v), 85],
    ['memoryPercent', (s, _db, v) => (s.host!.memoryPercent = v), 90],
    ['diskPercent', (s, _db, v) => (s.host!.diskPercent = v), 80],
    ['connectionsPercent', (_s, db, v) => (db.connections.used = v), 180],
    ['responseTimeMs', (s, _db, v) => (s.service!.http.p99Ms = v), 500],
    ['failedConnectionsPerMin', (s, _db, v) => (s.failedConnectionsLastMin = v), 10],
    ['replicationLagS', (_s, db, v) => (db.replicas[0]!.lag_seconds = v), 60],
    ['backupAgeH', (s, _db, v) => (s.backup.ageHours = v), 26],
    ['historyDeadLetter', (s, _db, v) => (s.deadLetterRows = v), 1],
    ['historyJournal', (s, _db, v) => (s.journal.budgetUsedPercent = v), 50],
  ];
  for (const [name, set, at] of cases) {
    assert.deepEqual(firing(snapshot((s, db) => set(s, db, at))), [name], `${name} at ${at}`);
    assert.deepEqual(firing(snapshot((s, db) => set(s, db, at - 1))), [], `${name} below ${at}`);
  }
});

test('connections alert at 90 % of the server’s max_connections, whatever it is', () => {
  assert.equal(connectionLimit(200, 90), 180);
  assert.equal(connectionLimit(300, 90), 270);
  const s = snapshot((_s, db) => Object.assign(db.connections, { max: 300, used: 269 }));
  assert.deepEqual(firing(s), []);
});

test('state alerts: member down, replica not streaming, breaker open, archiver failing, no backup yet', () => {
  assert.deepEqual(firing(snapshot((s) => (s.members[1]!.up = false))), ['instanceDown']);
  assert.deepEqual(firing(snapshot((s) => (s.streamingReplicas = 0))), ['replicationLagS']);
  assert.deepEqual(firing(snapshot((s) => (s.service!.breaker = 'OPEN'))), ['breakerOpen']);
  assert.deepEqual(firing(snapshot((s) => (s.service!.breaker = 'HALF_OPEN'))), []);
  assert.deepEqual(
    firing(
      snapshot((_s, db) =>
        Object.assign(db.archiver, { failed_count: 1, last_failed_time: new Date(Date.now() + 1000) }),
      ),
    ),
    ['walArchiveFailures'],
  );
  const noBackup = evaluateAlerts(
    cfg,
    snapshot((s) => (s.backup = { configured: true, repos: [] })),
  );
  assert.equal(noBackup.find((a) => a.name === 'backupAgeH')?.firing, true);
  assert.deepEqual(firing(snapshot((s) => (s.backup = { configured: false, repos: [] }))), []);
});

test('a disabled alert is not evaluated; a changed threshold and severity apply', () => {
  const custom = loadConfig({
    env: {},
    overrides: { monitor: { alerts: { cpuPercent: { enabled: false }, diskPercent: { threshold: 50, severity: 1 } } } },
  });
  const results = evaluateAlerts(
    custom,
    snapshot((s) => Object.assign(s.host!, { cpuPercent: 99, diskPercent: 55 })),
  );
  assert.equal(
    results.find((a) => a.name === 'cpuPercent'),
    undefined,
  );
  const disk = results.find((a) => a.name === 'diskPercent')!;
  assert.equal(disk.firing, true);
  assert.equal(disk.severity, 1);
  assert.match(disk.response, /within 30 min/);
});
