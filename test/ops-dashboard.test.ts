import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { clientConfig } from '../src/db/connection.js';
import { startKosMock } from '../src/kos/mock/server.js';
import { KOS_PATHS } from '../src/kos/protocol.js';
import { opsAdminToken } from '../src/monitor/http/adminToken.js';
import { monitoringPlugins } from '../src/monitor/http/monitoringPlugins.js';
import { applyDatabase } from '../src/platform/apply.js';
import { issueToken } from '../src/service/auth/tokens.js';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { staticLocator } from '../src/topology/index.js';
import { startService } from '../src/service/start.js';
import { startTempCluster } from './helpers/tempCluster.js';

const PROBE_ROWS = 20_000;
const HELD = 12;

const { cfg, primary } = await startTempCluster({
  overrides: {
    systemConfig: {
      circuitFailureThreshold: 3,
      kosRetryMaxAttempts: 0,
      circuitRecoveryTimeoutMs: 5000,
      circuitSuccessThreshold: 2,
      kosRetryDelayMs: 10,
    },
    service: { port: 0, history: { flushIntervalMs: 50, retryDelayMs: 200 }, kosMock: { latencyMs: 40 } },
    monitor: { cacheS: 0, dashboard: { sampleS: 1 } },
  },
});
// The README's picture is refreshed only on request: a test run must leave the working tree clean.
const SCREENSHOT = process.env.UPDATE_SCREENSHOT
  ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/images/ops-dashboard.png')
  : path.join(cfg.dataDir, 'ops-dashboard.png');
await applyDatabase(cfg, primary.target());
// A table the dashboard must show among the largest, with a row count the test knows.
await primary.query(
  `CREATE TABLE public.ops_probe AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, ${PROBE_ROWS}) g`,
  [],
  cfg.database.name,
);
await primary.query('ANALYZE public.ops_probe', [], cfg.database.name);
const kos = await startKosMock(cfg.service.kosMock);
const service = await startService(cfg, {
  port: 0,
  kosUrl: kos.url,
  locator: staticLocator({ host: cfg.cluster.host, port: primary.port }),
  admin: primary.target(cfg.database.name),
  extraPlugins: monitoringPlugins(cfg, undefined, { database: true }),
});
after(async () => {
  await service.stop();
  await kos.close();
});

const LINE = '010-7777-1234';
const userToken = issueToken(cfg, { userId: 'ops-user', lines: [LINE] });
const adminToken = opsAdminToken(cfg);
const months = availableMonths(currentMonth('Asia/Seoul'), 24);
const inquire = (month: string) =>
  fetch(`${service.url}/bills/inquiry`, {
    method: 'POST',
    headers: { authorization: `Bearer ${userToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ lineNumber: LINE, inquiryMonth: month }),
  });
const scenario = (s: object) =>
  fetch(kos.url + KOS_PATHS.admin, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(s),
  });
const metrics = async () => (await fetch(`${service.url}/metrics`)).text();
const opsData = async () =>
  (
    await fetch(`${service.url}/ops/data`, { headers: { authorization: `Bearer ${adminToken}` } })
  ).json() as Promise<any>;
const metricValue = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('service /metrics and the /ops dashboard', () => {
  test('/metrics: per-route latency, KOS calls, cache, pools and the database figures', async () => {
    assert.equal((await inquire(months[0]!)).status, 200);
    assert.equal((await inquire(months[0]!)).status, 200, 'second inquiry of the same month comes from the cache');
    const text = await metrics();
    assert.match(
      text,
      /bill_inquiry_http_request_duration_seconds_bucket\{le="0\.5",method="POST",route="\/bills\/inquiry",status_code="200"\} 2/,
    );
    assert.match(
      text,
      /bill_inquiry_http_requests_total\{method="POST",route="\/bills\/inquiry",status_code="200"\} 2/,
    );
    assert.match(text, /bill_inquiry_kos_calls_total\{outcome="[a-z_]+",result_code="[^"]*"\} [1-9]/);
    assert.ok(metricValue(text, 'bill_inquiry_cache_hits_total')! >= 1);
    assert.match(text, /bill_inquiry_pool_connections\{pool="[a-z]+",state="total"\} \d+/);
    assert.equal(metricValue(text, 'bill_inquiry_kos_breaker_open'), 0);
    assert.equal(metricValue(text, 'bill_inquiry_db_connections_max{member="primary"}'), 200);
    const [probe] = await primary.query<{ size: string }>(
      `SELECT pg_total_relation_size('public.ops_probe') AS size`,
      [],
      cfg.database.name,
    );
    assert.equal(
      metricValue(text, 'bill_inquiry_db_table_size_bytes{schema="public",table="ops_probe"}'),
      Number(probe!.size),
    );
  });

  test('/ops and its data need the admin token', async () => {
    assert.equal((await fetch(`${service.url}/ops`)).status, 401);
    assert.equal((await fetch(`${service.url}/ops/data`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal(
      (await fetch(`${service.url}/ops/data`, { headers: { authorization: `Bearer ${userToken}` } })).status,
      401,
      'a customer token is not an admin token',
    );
    const first = await fetch(`${service.url}/ops?token=${encodeURIComponent(adminToken)}`, { redirect: 'manual' });
    assert.equal(first.status, 302);
    assert.match(first.headers.get('set-cookie') ?? '', /bi_ops=.*HttpOnly; SameSite=Strict/);
    assert.equal(first.headers.get('location'), '/ops', 'the token leaves the address bar');
  });

  test('breaker open: the alert fires through the service and clears after recovery', async () => {
    await scenario({ httpError: true });
    for (let i = 1; i <= 3; i++) await inquire(months[i]!);
    assert.equal(service.runtime.breakerState(), 'OPEN');
    const open = (await opsData()).alerts.find((a: { name: string }) => a.name === 'breakerOpen');
    assert.equal(open.firing, true, open.detail);
    assert.equal(open.severity, 1);
    assert.equal(metricValue(await metrics(), 'bill_inquiry_kos_breaker_open'), 1);

    await scenario({ httpError: false });
    await sleep(5200); // circuitRecoveryTimeoutMs: long enough that a loaded machine cannot half-open the breaker before the asserts
    for (let i = 4; i <= 6 && service.runtime.breakerState() !== 'CLOSED'; i++) await inquire(months[i]!);
    assert.equal(service.runtime.breakerState(), 'CLOSED');
    const closed = (await opsData()).alerts.find((a: { name: string }) => a.name === 'breakerOpen');
    assert.equal(closed.firing, false, closed.detail);
    assert.equal(metricValue(await metrics(), 'bill_inquiry_kos_breaker_open'), 0);
  });

  test('dashboard in headless Chromium shows the live figures; screenshot kept for the README', async () => {
    const held = Array.from({ length: HELD }, () => new pg.Client(clientConfig(primary.target(cfg.database.name))));
    await Promise.all(held.map((c) => c.connect()));
    // Traffic over a few dashboard samples so the charts have a history; a long statement makes an alert fire.
    for (let i = 0; i < 6; i++) {
      await Promise.all([inquire(months[7 + (i % 10)]!), inquire(months[0]!), inquire(months[1 + (i % 5)]!)]);
      await sleep(1000);
    }
    const sleeper = held[0]!.query('SELECT pg_sleep(12)').catch(() => undefined);
    const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'bi-chromium-'));
    const browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1400, height: 900 },
    });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      await page.goto(`${service.url}/ops?token=${encodeURIComponent(adminToken)}`);
      assert.equal(new URL(page.url()).search, '', 'the token is not left in the URL');
      await page.waitForSelector('body[data-loaded="true"]', { timeout: 15_000 });
      const text = async (sel: string) => (await page.textContent(sel))!.trim();

      assert.equal(await text('#conn-max'), '200');
      const used = Number(await text('#conn-used'));
      assert.ok(used >= HELD + 1, `connections shown ${used} include the ${HELD} held by the test`);
      const probeRow = page.locator('#tables tbody tr', { hasText: 'public.ops_probe' });
      assert.equal(await probeRow.count(), 1, 'the probe table is among the largest tables');
      assert.equal((await probeRow.locator('td').nth(2).textContent())!.trim(), String(PROBE_ROWS));
      assert.equal(await text('#breaker'), service.runtime.breakerState());
      assert.match(await text('#alerts'), /S2 response time .*pg_sleep/);
      assert.match(await text('#cache-hit'), /^\d+(\.\d)? %$/);
      assert.match(await text('#members'), new RegExp(`primary\\s*${primary.port}\\s*primary\\s*up`));
      const points = await page.evaluate(
        () =>
          (globalThis as any).Chart.getChart('chart-requests').data.datasets[0].data.filter(
            (v: number | null) => v && v > 0,
          ).length,
      );
      assert.ok(points >= 3, `request-rate chart has ${points} points`);

      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      assert.ok(statSync(SCREENSHOT).size > 20_000);
    } finally {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
      await sleeper;
      await Promise.all(held.map((c) => c.end()));
    }
  });
});
