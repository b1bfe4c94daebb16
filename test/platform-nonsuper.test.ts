import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDatabase } from '../src/platform/apply.js';
import { verifyDatabase } from '../src/platform/verify/index.js';
import { startTempCluster } from './helpers/tempCluster.js';

// A managed server's admin (Azure: azure_pg_admin) is no superuser: CREATEDB, CREATEROLE and
// admin rights on the built-in roles. pg_stat_statements is untrusted, so such servers allow-list
// it themselves; locally only a superuser could create it, hence it is left out here.
const c = await startTempCluster({ overrides: { database: { extensions: ['uuid-ossp', 'pg_trgm'] } } });

test('apply and verify work through a non-superuser admin connection', async () => {
  await c.primary.query(`CREATE ROLE managed_admin LOGIN CREATEDB CREATEROLE PASSWORD 'managed-Admin-pw-1'`);
  await c.primary.query('GRANT pg_read_all_data, pg_monitor TO managed_admin WITH ADMIN OPTION');
  const admin = c.primary.target('postgres', 'managed_admin', 'managed-Admin-pw-1');

  const first = await applyDatabase(c.cfg, admin);
  assert.ok(first.changes.some((ch) => ch.id === 'role:bill_admin:member:current_user'));
  // Without pg_authid the passwords are proven current by logging in: still idempotent.
  assert.deepEqual((await applyDatabase(c.cfg, admin)).changes, []);

  const v = await verifyDatabase(c.cfg, admin);
  assert.deepEqual(
    v.checks.filter((ch) => !ch.ok).map((ch) => ch.id),
    ['extension.pg_stat_statements.preloaded'],
  );
  assert.match(v.checks.find((ch) => ch.id === 'auth.scram.bill_app_user')!.detail, /not readable/);
  const [owner] = await c.primary.query<{ owner: string }>(
    `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname = 'system_config'`,
    [],
    c.cfg.database.name,
  );
  assert.equal(owner!.owner, 'bill_admin');
});
