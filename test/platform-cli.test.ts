import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { freePort } from '../src/system/freePort.js';
import { cli, json, type CliResult } from './helpers/cli.js';
import { startTempCluster } from './helpers/tempCluster.js';

const c = await startTempCluster();
const env = { BILL_INQUIRY__SERVER__MEMORY_MB: '1024', BILL_INQUIRY_ADMIN_URL: '' };
const db = (...args: string[]) => cli(['--data-dir', c.cfg.dataDir, ...args], { env });

/** A user error: exactly one `error:` line saying what and what to do, no stack trace, non-zero exit. */
function assertOneLineError(r: CliResult, pattern: RegExp): void {
  assert.notEqual(r.code, 0);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  assert.equal(errors.length, 1, r.stderr);
  assert.match(errors[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

test('db apply, plan, verify --json, maintain and credentials on the local cluster', async () => {
  const applied = await db('--json', 'db', 'apply');
  assert.equal(applied.code, 0, applied.stderr);
  assert.ok(json<{ changes: unknown[] }>(applied).changes.length > 20);

  const plan = await db('--json', 'db', 'plan');
  assert.equal(plan.code, 0, plan.stderr);
  assert.deepEqual(json<{ changes: unknown[] }>(plan).changes, []);

  const verify = await db('--json', 'db', 'verify');
  const v = json<{ ok: boolean; checks: Array<{ id: string; ok: boolean; detail: string }> }>(verify);
  assert.deepEqual(
    v.checks.filter((ch) => !ch.ok),
    [],
  );
  assert.equal(verify.code, 0);
  assert.ok(v.checks.length >= 40, `${v.checks.length} checks`);
  for (const id of [
    'database.collation',
    'schema.system_config.active',
    'crud.system_config.app',
    'privilege.readonly.no-insert',
    'privilege.app.no-create-table',
    'privilege.backup.read-all',
    'privilege.default-privileges.new-table',
    'tls.plain-refused',
    'tls.tls1_1-refused-by-server',
    'auth.scram.bill_app_user',
    'parameter.shared_buffers',
    'extension.pg_stat_statements.preloaded',
    'parameter.data_checksums',
    'schema.partitions-ahead.bill_inquiry_history',
  ]) {
    assert.ok(
      v.checks.some((ch) => ch.id === id),
      `check ${id} present`,
    );
  }

  const maintain = await db('--json', 'db', 'maintain');
  assert.equal(maintain.code, 0, maintain.stderr);
  assert.deepEqual(json<{ created: string[] }>(maintain).created, []);

  const secret = readFileSync(path.join(c.cfg.dataDir, 'secrets', 'bill_app_user'), 'utf8').trim();
  const creds = await db('--json', 'db', 'credentials');
  assert.equal(creds.code, 0, creds.stderr);
  assert.ok(!creds.stdout.includes(secret), 'password not printed unless asked');
  assert.equal(json<{ user: string }>(creds).user, 'bill_app_user');
  const shown = json<{ password: string; url: string }>(await db('--json', 'db', 'credentials', '--show-password'));
  assert.equal(shown.password, secret);
  assert.ok(shown.url.includes(encodeURIComponent(secret)));
});

test('db verify exits 1 and names the failing check when a parameter is changed', async () => {
  await c.primary.query('ALTER SYSTEM SET track_io_timing = off');
  await c.primary.query('SELECT pg_reload_conf()');
  try {
    const r = await db('db', 'verify');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^FAIL parameter\.track_io_timing: off \(plan: on\)$/m);
    assert.match(r.stdout, /checks failed: parameter\.track_io_timing$/m);
  } finally {
    await c.primary.query('ALTER SYSTEM RESET track_io_timing');
    await c.primary.query('SELECT pg_reload_conf()');
  }
});

test('bad input gives one clear line and a non-zero exit', async () => {
  const unknown = await db('db', 'apply', '--bogus');
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr.split('\n')[0]!, /^error: unknown option '--bogus' \(see --help\)$/);

  const port = await freePort();
  assertOneLineError(
    await db('db', 'apply', '--admin-url', `postgres://postgres:x@127.0.0.1:${port}/postgres`),
    /cannot reach PostgreSQL at 127\.0\.0\.1:\d+ \(ECONNREFUSED\) — /,
  );

  assertOneLineError(
    await db('db', 'verify', '--admin-url', `postgres://postgres:wrong@127.0.0.1:${c.primary.port}/postgres`),
    /password authentication failed for user "postgres" .* — check the password/,
  );

  assertOneLineError(
    await db('db', 'plan', '--admin-url', `postgres://postgres:x@127.0.0.1:${c.primary.port}/postgres?sslmode=disable`),
    /sslmode=disable .* TLS/,
  );

  // --verbose: the same one line, then the cause chain down to the socket error, then the stack.
  const verbose = await db(
    '--verbose',
    'db',
    'apply',
    '--admin-url',
    `postgres://postgres:x@127.0.0.1:${port}/postgres`,
  );
  assert.notEqual(verbose.code, 0);
  assert.match(
    verbose.stderr,
    /(^|\n)error: cannot reach PostgreSQL .*\n {2}caused by: Error \[ECONNREFUSED\]: connect ECONNREFUSED 127\.0\.0\.1:\d+\n/,
  );
  assert.match(verbose.stderr, /\n\s+at /, 'the stack follows');
  const verboseJson = await db(
    '--json',
    '-v',
    'db',
    'apply',
    '--admin-url',
    `postgres://postgres:x@127.0.0.1:${port}/postgres`,
  );
  const error = json<{ error: { code: string; causes: string[] } }>(verboseJson).error;
  assert.equal(error.code, 'DB_UNREACHABLE');
  assert.match(error.causes[0]!, /ECONNREFUSED/);

  const cfgFile = path.join(c.cfg.dataDir, 'strict-locale.json');
  writeFileSync(
    cfgFile,
    JSON.stringify({ database: { name: 'bill_locale_db', locale: 'xx_XX.UTF-8', localeFallback: 'error' } }),
  );
  assertOneLineError(
    await db('--config', cfgFile, 'db', 'apply'),
    /OS locale "xx_XX\.UTF-8" is not installed .* locale-gen/,
  );
});
