import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyDatabase } from '../src/platform/apply.js';
import type { ChecklistResult } from '../src/monitor/checklists/item.js';
import { cli, json } from './helpers/cli.js';
import { startTempCluster } from './helpers/tempCluster.js';

// The superuser connection lets the security audit read password hashes (pg_authid).
const { cfg, primary } = await startTempCluster({ overrides: { monitor: { connectAs: 'superuser' } } });
await applyDatabase(cfg, primary.target());
const env = { BILL_INQUIRY__MONITOR__CONNECT_AS: 'superuser' };
const run = async (which: 'weekly' | 'monthly') => {
  const r = await cli(['--data-dir', cfg.dataDir, '--json', 'check', which], { env });
  return { code: r.code, result: json<ChecklistResult>(r) };
};
const item = (r: ChecklistResult, id: string) => r.items.find((i) => i.id === id)!;
const sql = (text: string) => primary.query(text, [], cfg.database.name);

describe('weekly and monthly checklists on a real cluster', () => {
  test('weekly: no switchover on a production-flagged cluster, statistics name a table needing VACUUM, patch level read from apt', async () => {
    await sql('CREATE TABLE public.churn (id int) WITH (autovacuum_enabled = false)');
    await sql('INSERT INTO public.churn SELECT generate_series(1, 5000)');
    await sql('DELETE FROM public.churn WHERE id % 2 = 0');
    // Statistics reach pg_stat_user_tables asynchronously.
    await sql('SELECT pg_stat_force_next_flush()');
    const { result } = await run('weekly');
    assert.deepEqual(
      result.items.map((i) => i.id),
      ['failover', 'restore-test', 'logical-dump', 'statistics', 'security-patches', 'capacity'],
    );
    assert.equal(item(result, 'logical-dump').status, 'warn', 'no Blob container configured: said, not failed');
    assert.match(item(result, 'logical-dump').detail, /no Blob container configured/);
    assert.equal(item(result, 'failover').status, 'warn');
    assert.match(item(result, 'failover').detail, /allowSwitchover=false/);
    assert.equal(item(result, 'statistics').status, 'warn');
    assert.match(item(result, 'statistics').detail, /needs VACUUM .*public\.churn/);
    assert.match(item(result, 'security-patches').detail, /server \d+\.\d+/);
    assert.match(item(result, 'capacity').detail, /databases \d+\.\d+ GB/);

    await sql('VACUUM ANALYZE public.churn');
    await sql('SELECT pg_stat_force_next_flush()');
    assert.doesNotMatch(item((await run('weekly')).result, 'statistics').detail, /public\.churn/, 'cleared by VACUUM');
  });

  test('monthly: cost from §11.1, and the security audit names a rogue superuser and an md5 password', async () => {
    const clean = await run('monthly');
    assert.equal(item(clean.result, 'security-audit').status, 'pass', item(clean.result, 'security-audit').detail);
    assert.match(
      item(clean.result, 'cost').detail,
      /main server Standard_D4s_v3 \$450, .*total \$755\/month \(reserved instance \$605; configured \$755\)/,
    );
    // The project ships its DR runbook: found (package root), covering §9.2; fresh until 31 days after its review date.
    const dr = item(clean.result, 'dr-plan');
    assert.match(dr.detail, /docs\/disaster-recovery\.md last reviewed \d{4}-\d{2}-\d{2} \(review line\)/);
    assert.match(dr.detail, /covers primary failure, region failure, data corruption/);
    const ageDays = Number(/(\d+) days ago/.exec(dr.detail)![1]);
    assert.equal(dr.status, ageDays > 31 ? 'warn' : 'pass', dr.detail);
    assert.equal(clean.code, 0);

    await sql('CREATE ROLE rogue_admin SUPERUSER');
    await sql(`SET password_encryption = 'md5'; CREATE ROLE legacy_app LOGIN PASSWORD 'not-a-real-secret-123'`);
    try {
      const { code, result } = await run('monthly');
      assert.equal(code, 1);
      const audit = item(result, 'security-audit');
      assert.equal(audit.status, 'fail');
      assert.match(audit.detail, /unexpected privileged roles: rogue_admin \(superuser\)/);
      assert.match(audit.detail, /passwords not SCRAM: legacy_app/);
    } finally {
      await sql('DROP ROLE rogue_admin; DROP ROLE legacy_app');
    }
  });
});
