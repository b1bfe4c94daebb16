import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config/load.js';
import { evaluateAlerts } from '../src/monitor/alerts/evaluate.js';
import { collectSnapshot } from '../src/monitor/snapshot.js';
import { freePort } from '../src/system/freePort.js';
import { cli, json, startCli } from './helpers/cli.js';
import { startTempCluster } from './helpers/tempCluster.js';

// No `db apply` here: the collector connects as the superuser, explicitly, to the postgres database.
const { cfg } = await startTempCluster();
const env = {
  ...process.env,
  BILL_INQUIRY__MONITOR__CONNECT_AS: 'superuser',
  BILL_INQUIRY__MONITOR__DATABASE: 'postgres',
};

test('monitor serve exposes the database and host metrics on 127.0.0.1 and stops on SIGTERM', async () => {
  const port = await freePort();
  const served = startCli(['--data-dir', cfg.dataDir, 'monitor', 'serve', '--port', String(port)], { env });
  let code: number | null;
  try {
    let text = '';
    for (let i = 0; i < 60 && !text; i++) {
      text = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((r) => r.text())
        .catch(() => '');
      if (!text) await sleep(250);
    }
    assert.ok(text, `monitor serve answered (${served.stderr})`);
    assert.match(text, /bill_inquiry_db_up\{member="primary",role="primary"\} 1/);
    assert.match(text, /bill_inquiry_db_connections_max\{member="primary"\} 200/);
    assert.match(text, /bill_inquiry_db_cache_hit_ratio_percent\{member="primary",datname="postgres"\} \d+/);
    assert.match(text, /bill_inquiry_host_disk_percent\{path="[^"]+"\} \d+/);
    assert.match(text, /bill_inquiry_db_replicas_expected 0/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/ops`)).status, 401, 'the dashboard needs the admin token');
  } finally {
    code = await served.stop();
  }
  assert.equal(code, 0, 'clean shutdown on SIGTERM');
});

test('without `db apply` the monitoring role is missing: the member is reported down with what to do', async () => {
  const r = await cli(['--data-dir', cfg.dataDir, '--json', 'monitor', 'alerts']);
  assert.equal(r.code, 1);
  const down = json<{ alerts: Array<{ name: string; firing: boolean; detail: string; severity: number }> }>(
    r,
  ).alerts.find((a) => a.name === 'instanceDown')!;
  assert.equal(down.firing, true);
  assert.equal(down.severity, 1);
  assert.match(down.detail, /monitoring role bill_readonly_user.*bill-inquiry db apply/);
});

test('monitor alerts --webhook POSTs the firing alerts to a receiver', async () => {
  const received: Array<{
    status: string;
    alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }>;
  }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    const r = await cli(['--data-dir', cfg.dataDir, 'monitor', 'alerts', '--webhook', `http://127.0.0.1:${port}/hook`]);
    assert.equal(r.code, 1);
    assert.equal(received.length, 1);
    const down = received[0]!.alerts.find((a) => a.labels.alertname === 'BillInquiryDatabaseDown');
    assert.ok(down, JSON.stringify(received[0]));
    assert.equal(down.labels.severity, '1');
    assert.match(down.annotations.response!, /15 min/);
  } finally {
    server.close();
  }
});

test('host usage is measured for real: limits below and above the measured figures fire and stay quiet', async () => {
  const snap = await collectSnapshot(cfg);
  assert.ok(snap.host!.diskPercent > 0 && snap.host!.diskPercent < 100);
  assert.ok(snap.host!.memoryPercent > 0 && snap.host!.memoryPercent < 100);
  const judge = (threshold: number) => {
    const c = loadConfig({
      env: {},
      overrides: {
        dataDir: cfg.dataDir,
        monitor: { alerts: { diskPercent: { threshold }, memoryPercent: { threshold } } },
      },
    });
    return evaluateAlerts(c, snap)
      .filter((a) => a.name === 'diskPercent' || a.name === 'memoryPercent')
      .map((a) => a.firing);
  };
  assert.deepEqual(judge(Math.min(snap.host!.diskPercent, snap.host!.memoryPercent) - 0.1), [true, true]);
  assert.deepEqual(judge(100), [false, false]);
});
