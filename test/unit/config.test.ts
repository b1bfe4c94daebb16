import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fromEnv, loadConfig } from '../../src/config/load.js';
import { BillInquiryError } from '../../src/errors.js';

test('defaults are the plan’s values', () => {
  const cfg = loadConfig({ env: {} });
  assert.equal(cfg.server.maxConnections, 200);
  assert.equal(cfg.pool.size, 15);
  assert.equal(cfg.pool.connectionTimeoutMs, 30_000);
  assert.equal(cfg.database.retention.billHistoryDays, 730);
  assert.equal(cfg.database.retention.kosHistoryDays, 365);
  assert.equal(cfg.monitor.alerts.cpuPercent.threshold, 85);
  assert.ok(path.isAbsolute(cfg.dataDir));
  assert.ok(Object.isFrozen(cfg.server), 'config is frozen');
});

test('BILL_INQUIRY__SECTION__KEY maps to camelCase paths; values parse as JSON when they can', () => {
  assert.deepEqual(
    fromEnv({
      BILL_INQUIRY__CLUSTER__PORT: '5433',
      BILL_INQUIRY__SERVER__MAX_CONNECTIONS: '300',
      BILL_INQUIRY__SERVICE__JWT__ISSUER: 'auth',
      BILL_INQUIRY__SERVICE__KOS_MOCK__FAILURE_RATE: '0.5',
      BILL_INQUIRY__BACKUP__REPOS: '[{"type":"posix"}]',
      OTHER: 'x',
      PG_BIN: '/usr/lib/postgresql/15/bin',
    }),
    {
      cluster: { port: 5433, pgBin: '/usr/lib/postgresql/15/bin' },
      server: { maxConnections: 300 },
      service: { jwt: { issuer: 'auth' }, kosMock: { failureRate: 0.5 } },
      backup: { repos: [{ type: 'posix' }] },
    },
  );
});

test('precedence: defaults ← file ← environment ← flags', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bi-cfg-'));
  const file = path.join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ cluster: { port: 6000, replicaPort: 6001 }, pool: { size: 10 } }));
  const cfg = loadConfig({
    file,
    env: { BILL_INQUIRY__CLUSTER__PORT: '6100', BILL_INQUIRY__POOL__SIZE: '12' },
    overrides: { pool: { size: 14 } },
  });
  assert.equal(cfg.cluster.port, 6100, 'env over file');
  assert.equal(cfg.cluster.replicaPort, 6001, 'file over defaults');
  assert.equal(cfg.pool.size, 14, 'flags over env');
});

test('invalid values and files fail with CONFIG_* codes that name the key', () => {
  const invalid = (fn: () => unknown, code: string, text: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof BillInquiryError && e.code === code && text.test(e.message));
  invalid(() => loadConfig({ env: { BILL_INQUIRY__CLUSTER__PORT: '70000' } }), 'CONFIG_INVALID', /cluster\.port/);
  invalid(() => loadConfig({ env: {}, overrides: { nope: 1 } }), 'CONFIG_INVALID', /nope|Unrecognized/);
  invalid(() => loadConfig({ env: {}, file: '/nonexistent/c.json' }), 'CONFIG_MISSING', /nonexistent/);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bi-cfg-'));
  writeFileSync(path.join(dir, 'bad.json'), '{ not json');
  invalid(() => loadConfig({ env: {}, file: path.join(dir, 'bad.json') }), 'CONFIG_INVALID', /not a JSON object/);
});
