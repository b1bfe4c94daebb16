import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { clientConfig } from '../src/db/connection.js';
import { applyDatabase } from '../src/platform/apply.js';
import { verifyDatabase } from '../src/platform/verify/index.js';
import { appliedCluster, asLogin, sqlState } from './helpers/platform.js';

// Module level, so the cluster and its temp dir live until the whole file is done.
const c = await appliedCluster();

describe('applyDatabase on a real PostgreSQL', () => {
  test('first apply makes the plan real, a second apply and a plan change nothing', async () => {
    const ids = c.apply.changes.map((ch) => ch.id);
    for (const id of [
      'database:bill_inquiry_db',
      'role:bill_app_user',
      'role:bill_admin',
      'extension:pg_stat_statements',
      'migration:1764000000000_schema',
      'system_config:seed',
    ]) {
      assert.ok(ids.includes(id), `first apply made ${id}`);
    }
    assert.deepEqual((await applyDatabase(c.cfg, c.primary.target())).changes, []);
    assert.deepEqual((await applyDatabase(c.cfg, c.primary.target(), { dryRun: true })).changes, []);
  });

  test('apply never overwrites a system_config value an operator changed, and restores a dropped grant', async () => {
    await c.primary.query(
      `UPDATE system_config SET config_value = '7' WHERE config_key = 'bill.cache.ttl.hours'`,
      [],
      c.cfg.database.name,
    );
    await c.primary.query(
      `DELETE FROM system_config WHERE config_key = 'kos.retry.max.attempts'`,
      [],
      c.cfg.database.name,
    );
    await c.primary.query('REVOKE SELECT ON system_config FROM bill_readonly_user', [], c.cfg.database.name);
    const planned = await applyDatabase(c.cfg, c.primary.target(), { dryRun: true });
    assert.deepEqual(planned.changes.map((ch) => ch.id).sort(), [
      'relation:system_config:bill_readonly_user',
      'system_config:seed',
    ]);
    const r = await applyDatabase(c.cfg, c.primary.target());
    assert.equal(r.changes.length, 2);
    const rows = await c.primary.query<{ config_key: string; config_value: string }>(
      `SELECT config_key, config_value FROM system_config WHERE config_key IN ('bill.cache.ttl.hours', 'kos.retry.max.attempts') ORDER BY 1`,
      [],
      c.cfg.database.name,
    );
    assert.deepEqual(rows, [
      { config_key: 'bill.cache.ttl.hours', config_value: '7' },
      { config_key: 'kos.retry.max.attempts', config_value: '3' },
    ]);
  });

  test('a password from the environment replaces the stored one, and only when it differs', async () => {
    const env = 'BILL_INQUIRY_SECRET_BILL_APP_USER';
    process.env[env] = 'rotated-Passw0rd-from-env';
    try {
      const r = await applyDatabase(c.cfg, c.primary.target());
      assert.deepEqual(
        r.changes.map((ch) => ch.id),
        ['role:bill_app_user:password'],
      );
      const [row] = await c.primary.query<{ v: string }>(
        `SELECT rolpassword AS v FROM pg_authid WHERE rolname = 'bill_app_user'`,
      );
      assert.match(row!.v, /^SCRAM-SHA-256\$4096:/);
      await asLogin(c.cfg, c.primary, 'app', async (db) => assert.equal(await sqlState(db, 'SELECT 1'), 'ok'));
      assert.deepEqual((await applyDatabase(c.cfg, c.primary.target())).changes, []);
      // log_statement = 'all' logs every ALTER ROLE: only a SCRAM verifier may appear there.
      const logDir = path.join(c.primary.paths.pgdata, 'log');
      const logs = readdirSync(logDir)
        .map((f) => readFileSync(path.join(logDir, f), 'utf8'))
        .join('\n');
      assert.match(logs, /ALTER ROLE "bill_app_user" PASSWORD 'SCRAM-SHA-256/);
      assert.ok(!logs.includes(process.env[env]), 'plaintext password never reaches the server log');
    } finally {
      delete process.env[env];
    }
    assert.deepEqual(
      (await applyDatabase(c.cfg, c.primary.target())).changes.map((ch) => ch.id),
      ['role:bill_app_user:password'],
      'back to the stored secret',
    );
  });

  test('the read-only user reads but cannot write or run DDL', async () => {
    await asLogin(c.cfg, c.primary, 'readonly', async (db) => {
      assert.equal(await sqlState(db, 'SELECT count(*) FROM system_config'), 'ok');
      assert.equal(
        await sqlState(db, `INSERT INTO system_config (config_key, config_value) VALUES ('x', 'y')`),
        '42501',
      );
      assert.equal(await sqlState(db, `UPDATE system_config SET config_value = 'z'`), '42501');
      assert.equal(await sqlState(db, 'DELETE FROM customer_info'), '42501');
      assert.equal(await sqlState(db, 'CREATE TABLE ro_probe (id int)'), '42501');
    });
  });

  test('the application role does CRUD but no DDL', async () => {
    await asLogin(c.cfg, c.primary, 'app', async (db) => {
      assert.equal(
        await sqlState(db, `INSERT INTO system_config (config_key, config_value) VALUES ('app.probe', 'v')`),
        'ok',
      );
      assert.equal(
        await sqlState(db, `UPDATE system_config SET config_value = 'w' WHERE config_key = 'app.probe'`),
        'ok',
      );
      assert.equal(await sqlState(db, `DELETE FROM system_config WHERE config_key = 'app.probe'`), 'ok');
      assert.equal(await sqlState(db, 'CREATE TABLE app_probe (id int)'), '42501');
      assert.equal(await sqlState(db, 'DROP TABLE system_config'), '42501');
      assert.equal(await sqlState(db, 'ALTER TABLE customer_info ADD COLUMN x int'), '42501');
      assert.equal(await sqlState(db, 'TRUNCATE bill_info_cache'), '42501');
    });
  });

  test('the backup user reads every table (incl. the migration log) and writes nothing', async () => {
    await asLogin(c.cfg, c.primary, 'backup', async (db) => {
      for (const t of [
        'customer_info',
        'bill_inquiry_history',
        'kos_inquiry_history',
        'bill_info_cache',
        'system_config',
        'bill_migrations.pgmigrations',
      ]) {
        assert.equal(await sqlState(db, `SELECT count(*) FROM ${t}`), 'ok', t);
      }
      assert.equal(
        await sqlState(db, `INSERT INTO system_config (config_key, config_value) VALUES ('b', 'c')`),
        '42501',
      );
      assert.equal(await sqlState(db, 'CREATE TABLE backup_probe (id int)'), '42501');
    });
  });

  test('a table the schema owner creates later gets the plan grants by default privileges', async () => {
    await c.primary.query(
      'SET ROLE bill_admin; CREATE TABLE future_table (id bigserial PRIMARY KEY, v text); RESET ROLE',
      [],
      c.cfg.database.name,
    );
    try {
      await asLogin(c.cfg, c.primary, 'app', async (db) =>
        assert.equal(await sqlState(db, `INSERT INTO future_table (v) VALUES ('x')`), 'ok'),
      );
      await asLogin(c.cfg, c.primary, 'readonly', async (db) => {
        assert.equal(await sqlState(db, 'SELECT * FROM future_table'), 'ok');
        assert.equal(await sqlState(db, `INSERT INTO future_table (v) VALUES ('x')`), '42501');
      });
    } finally {
      await c.primary.query('DROP TABLE future_table', [], c.cfg.database.name);
    }
  });

  test('the server refuses a plain (non-TLS) connection', async () => {
    const t = c.primary.target(c.cfg.database.name);
    const client = new pg.Client({ ...clientConfig(t), ssl: false });
    await assert.rejects(
      client.connect(),
      (e: { code?: string; message: string }) => e.code === '28000' && /no encryption/.test(e.message),
    );
  });

  test('verify passes with at least 40 named checks, TLS 1.1 refused by the server', async () => {
    const v = await verifyDatabase(c.cfg, c.primary.target());
    assert.deepEqual(
      v.checks.filter((ch) => !ch.ok),
      [],
    );
    assert.ok(v.ok);
    assert.ok(v.checks.length >= 40, `${v.checks.length} checks`);
    const tls11 = v.checks.find((ch) => ch.id === 'tls.tls1_1-refused-by-server')!;
    assert.match(tls11.detail, /answered by the server/);
  });

  test('verify fails and names the check when a grant or a parameter is broken', async () => {
    await c.primary.query('GRANT INSERT ON system_config TO bill_readonly_user', [], c.cfg.database.name);
    await c.primary.query(`ALTER DATABASE bill_inquiry_db SET work_mem = '1MB'`);
    await c.primary.query('ALTER SYSTEM SET log_lock_waits = off');
    await c.primary.query('SELECT pg_reload_conf()');
    try {
      const v = await verifyDatabase(c.cfg, c.primary.target());
      const failed = v.checks.filter((ch) => !ch.ok).map((ch) => ch.id);
      assert.equal(v.ok, false);
      assert.ok(failed.includes('privilege.readonly.no-insert'), failed.join(','));
      assert.ok(failed.includes('parameter.log_lock_waits'), failed.join(','));
      assert.ok(failed.includes('parameter.work_mem'), failed.join(','));
      const fixed = await applyDatabase(c.cfg, c.primary.target());
      assert.deepEqual(
        fixed.changes.map((ch) => ch.id),
        ['relation:system_config:bill_readonly_user'],
      );
    } finally {
      await c.primary.query('ALTER DATABASE bill_inquiry_db RESET work_mem');
      await c.primary.query('ALTER SYSTEM RESET log_lock_waits');
      await c.primary.query('SELECT pg_reload_conf()');
    }
    const again = await verifyDatabase(c.cfg, c.primary.target());
    assert.deepEqual(
      again.checks.filter((ch) => !ch.ok),
      [],
    );
  });

  test('a missing OS locale falls back to ICU loudly, or fails with how to add it', async () => {
    const icuCfg = {
      ...c.cfg,
      database: { ...c.cfg.database, name: 'bill_icu_db', locale: 'xx_XX.UTF-8', localeFallback: 'icu' as const },
    };
    const r = await applyDatabase(icuCfg, c.primary.target());
    const created = r.changes.find((ch) => ch.id === 'database:bill_icu_db')!;
    assert.match(created.action, /ICU/);
    assert.ok(
      r.warnings.some((w) => w.includes('xx_XX.UTF-8') && w.includes('locale-gen')),
      r.warnings.join('\n'),
    );
    const [row] = await c.primary.query<{ provider: string }>(
      `SELECT datlocprovider::text AS provider FROM pg_database WHERE datname = 'bill_icu_db'`,
    );
    assert.equal(row!.provider, 'i');
    const strict = {
      ...icuCfg,
      database: { ...icuCfg.database, name: 'bill_strict_db', localeFallback: 'error' as const },
    };
    await assert.rejects(applyDatabase(strict, c.primary.target()), (e: Error) =>
      /locale "xx_XX.UTF-8" is not installed/.test(e.message),
    );
    const [none] = await c.primary.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_database WHERE datname = 'bill_strict_db'`,
    );
    assert.equal(none!.n, '0');
  });
});
