import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureTls } from '../src/cluster/local/tls.js';
import type { ChecklistResult } from '../src/monitor/checklists/item.js';
import { applyDatabase } from '../src/platform/apply.js';
import { startArmStandIn, type ArmStandIn } from './helpers/armStandIn.js';
import { cli, json } from './helpers/cli.js';
import { startTempCluster } from './helpers/tempCluster.js';

// An external target (service.database) — a PostgreSQL this tool treats as running elsewhere, as on Azure.
// With Azure configured, the server's figures come from Azure Monitor and ARM: here a stand-in answering
// the SDK clients with recorded responses, over HTTPS with the test CA, signed in with a static token.
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const SERVER = 'phonebill-bill-inquiry-prod-pg';
const TOKEN = randomBytes(24).toString('hex');
const SAS = 'sv=2025-01-05&sp=rl&sig=stand-in';
const { cfg, primary } = await startTempCluster({
  // CPU is judged against a limit no busy test machine reaches: other test files share these cores.
  overrides: { monitor: { alerts: { cpuPercent: { threshold: 101 } } } },
});
const tls = await ensureTls(cfg.dataDir);
let arm: ArmStandIn | undefined;

const configFile = (name: string, azure: Record<string, unknown>) => {
  const file = path.join(cfg.dataDir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      service: { database: { primary: { host: '127.0.0.1', port: cfg.cluster.port }, caFile: tls.caCert } },
      azure,
    }),
  );
  return file;
};
const run = async (config: string, args: string[]) => {
  const r = await cli(['--data-dir', cfg.dataDir, '--config', config, '--json', ...args], {
    env: {
      NODE_EXTRA_CA_CERTS: tls.caCert,
      BILL_INQUIRY_SECRET_AZURE_ARM_TOKEN: TOKEN,
      BILL_INQUIRY_SECRET_AZURE_BLOB_SAS: SAS,
      BILL_INQUIRY__MONITOR__ALERTS__CPU_PERCENT__THRESHOLD: '101',
    },
  });
  return { ...r, out: () => json<Record<string, unknown>>(r) };
};
const item = (r: ChecklistResult, id: string) => r.items.find((i) => i.id === id)!;

/** Figures only this machine could have produced: its data dir's disk, its host name, the host sampler's fields. */
const localFigures = (text: string): string[] =>
  [cfg.dataDir, os.hostname(), /disk \d/, /"host"\s*:/, /"diskPath"/]
    .filter((needle) => (typeof needle === 'string' ? text.includes(needle) : needle.test(text)))
    .map(String);

before(async () => {
  await applyDatabase(cfg, primary.target());
  arm = await startArmStandIn(tls, TOKEN);
});
after(async () => {
  await arm?.stop();
});

describe('external target with Azure configured: the server figures come from Azure Monitor and ARM', () => {
  let withAzure: string;
  before(() => {
    withAzure = configFile('external-azure', {
      subscriptionId: SUBSCRIPTION,
      armEndpoint: arm!.url,
      serverName: SERVER,
      // Azure configured also means the dump container is watched: on loopback here, like every address of a test.
      logicalBackup: { accountUrl: `${arm!.url}/phonebillpgdumps`, auth: 'sas' },
    });
  });

  test('check daily --json: CPU, memory, storage and connections from the metrics, the last backup from the backup list, nothing of this machine', async () => {
    arm!.backupAgeHours = 2;
    arm!.requests.length = 0;
    const r = await run(withAzure, ['check', 'daily']);
    const daily = json<ChecklistResult>(r);
    const usage = item(daily, 'usage');
    assert.equal(usage.status, 'pass', usage.detail);
    assert.match(usage.detail, /CPU 37\.5 % \(Azure Monitor cpu_percent, \S+Z\) \(limit 101 %\)/);
    assert.match(usage.detail, /memory 61\.3 % \(Azure Monitor memory_percent/);
    assert.match(usage.detail, /storage 43\.1 % \(Azure Monitor storage_percent/);
    assert.match(item(daily, 'connections').detail, /Azure Monitor active_connections 23/);
    const backup = item(daily, 'backup');
    assert.equal(backup.status, 'pass', backup.detail);
    assert.match(
      backup.detail,
      /last successful backup \S+ \(2\.0 h ago, limit 26 h\) — Azure, azure:phonebill-bill-inquiry-prod-pg: 2 backup\(s\); newest backup_638689242625730000 \(Full\)/,
    );
    assert.deepEqual(localFigures(r.stdout), [], 'no figure of the machine the check runs on');

    const metrics = arm!.requests.find((q) => q.path.endsWith('/providers/Microsoft.Insights/metrics'));
    const resource = `/subscriptions/${SUBSCRIPTION}/resourceGroups/phonebill-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/${SERVER}`;
    assert.equal(metrics?.path, `${resource}/providers/Microsoft.Insights/metrics`);
    assert.equal(metrics.query.get('metricnames'), 'cpu_percent,memory_percent,storage_percent,active_connections');
    assert.equal(metrics.query.get('interval'), 'PT1M');
    assert.equal(metrics.authorization, `Bearer ${TOKEN}`);
    const backups = arm!.requests.find((q) => q.path === `${resource}/backups`);
    assert.equal(backups?.query.get('api-version'), '2025-08-01');
    assert.equal(backups.authorization, `Bearer ${TOKEN}`);

    // The dump container is listed too (the stand-in is no Blob service: the listing reports its refusal).
    const snap = (await run(withAzure, ['monitor', 'snapshot'])).out() as {
      logicalDumps?: { container: string; error?: string };
    };
    assert.equal(snap.logicalDumps?.container, `${arm!.url}/phonebillpgdumps/logical-dumps`);
    assert.ok(snap.logicalDumps.error, 'a listing that fails is reported, not thrown');
  });

  test('an old backup in the list: the backup item fails and the backup-age alert fires', async () => {
    arm!.backupAgeHours = 72;
    const r = await run(withAzure, ['check', 'daily']);
    assert.notEqual(r.code, 0);
    const backup = item(json<ChecklistResult>(r), 'backup');
    assert.equal(backup.status, 'fail', backup.detail);
    assert.match(backup.detail, /\(72\.0 h ago, limit 26 h\)/);

    const alerts = await run(withAzure, ['monitor', 'alerts']);
    assert.equal(alerts.code, 1, alerts.stderr);
    const out = json<{ firing: string[]; alerts: Array<{ name: string; detail: string }> }>(alerts);
    assert.deepEqual(out.firing, ['backupAgeH']);
    assert.match(out.alerts.find((a) => a.name === 'diskPercent')!.detail, /storage 43\.1 % \(Azure Monitor/);
  });

  test('a token ARM refuses: the items say Azure did not answer, still no local figure', async () => {
    arm!.backupAgeHours = 2;
    const r = await cli(['--data-dir', cfg.dataDir, '--config', withAzure, '--json', 'check', 'daily'], {
      env: {
        NODE_EXTRA_CA_CERTS: tls.caCert,
        BILL_INQUIRY_SECRET_AZURE_ARM_TOKEN: 'not-the-token',
        BILL_INQUIRY_SECRET_AZURE_BLOB_SAS: SAS,
      },
    });
    const daily = json<ChecklistResult>(r);
    assert.equal(item(daily, 'usage').status, 'warn');
    assert.match(item(daily, 'usage').detail, /CPU: no data — Azure Monitor: .*(401|Authentication)/);
    assert.equal(item(daily, 'backup').status, 'fail');
    assert.match(item(daily, 'backup').detail, /Azure backup list: .*(401|Authentication)/);
    assert.deepEqual(localFigures(r.stdout), []);
  });
});

test('external target without Azure: usage and backups are "not measured here" with the reason, no host figure anywhere', async () => {
  const plain = configFile('external-no-azure', {});
  const r = await run(plain, ['check', 'daily']);
  const daily = json<ChecklistResult>(r);
  for (const id of ['usage', 'backup']) {
    const i = item(daily, id);
    assert.equal(i.status, 'warn', `${id}: ${i.detail}`);
    assert.match(
      i.detail,
      /^not measured here: the database is external \(service\.database\) and Azure is not configured/,
    );
    assert.match(i.action!, /azure\.subscriptionId/);
  }
  assert.doesNotMatch(item(daily, 'usage').detail, /\d %/, 'no percentage at all');
  assert.deepEqual(localFigures(r.stdout), []);
  assert.equal(item(daily, 'server').status, 'pass', 'the database itself is checked as before');

  const snap = await run(plain, ['monitor', 'snapshot']);
  const s = snap.out();
  assert.equal(s.host, undefined, 'the snapshot has no host figures');
  assert.equal((s.server as { source: string }).source, 'none');

  const alerts = json<{ alerts: Array<{ name: string; detail: string; value?: number }> }>(
    await run(plain, ['monitor', 'alerts']),
  ).alerts;
  for (const name of ['cpuPercent', 'memoryPercent', 'diskPercent', 'backupAgeH']) {
    const a = alerts.find((x) => x.name === name)!;
    assert.equal(a.value, undefined, name);
    assert.match(a.detail, /^not measured here: /, name);
  }
});
