import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { KOS_PATHS } from '../src/kos/protocol.js';
import { freePort } from '../src/system/freePort.js';
import { cli, localServeEnv, startCli } from './helpers/cli.js';
import { tempDataDir } from './helpers/tempCluster.js';

/*
 * CORS as a browser sees it: phonebill's frontend runs on its own origin and calls the bill
 * service with fetch + Bearer. Two pages on two loopback origins (two ports of 127.0.0.1);
 * `serve` allows only the first (service.cors.allowedOrigins from the environment).
 */

const LINE = '010-1234-5678';
const KOREAN = /[가-힣]/;

/** A blank page on 127.0.0.1:port — an origin of its own. */
async function pageServer(port: number): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>front</title><p>front</p>');
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return server;
}

/** fetch from inside the page: the browser enforces CORS; a blocked call rejects (TypeError). */
const browserFetch = (page: Page, url: string, init: { method: string; token: string; body?: unknown }) =>
  page.evaluate(
    async ({ url, init }) => {
      try {
        const r = await fetch(url, {
          method: init.method,
          headers: {
            authorization: `Bearer ${init.token}`,
            ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
        });
        return { status: r.status, body: (await r.json()) as any, blocked: undefined };
      } catch (e) {
        return { status: 0, body: undefined as any, blocked: String(e) };
      }
    },
    { url, init },
  );

test('"*" with credentials is refused at start', async () => {
  const dataDir = tempDataDir();
  const r = await cli(['--data-dir', dataDir, 'serve', '--port', String(await freePort())], {
    env: localServeEnv(await freePort(), {
      BILL_INQUIRY__SERVICE__CORS__ALLOWED_ORIGINS: '["*"]',
      BILL_INQUIRY__SERVICE__CORS__CREDENTIALS: 'true',
    }),
  });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /allowedOrigins "\*" with credentials true/);
});

test('CORS in headless Chromium: allowed origin reads the bill and a 401/503 message; an unlisted origin is blocked; no CORS outside the bill routes', async (t) => {
  const dataDir = tempDataDir();
  const ports: number[] = [];
  while (ports.length < 5) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  const [port, pgPort, kosPort, allowedPort, otherPort] = ports as [number, number, number, number, number];
  const allowed = `http://127.0.0.1:${allowedPort}`;
  const other = `http://127.0.0.1:${otherPort}`;
  const base = `http://127.0.0.1:${port}`;
  const env = localServeEnv(pgPort, {
    BILL_INQUIRY__SERVICE__CORS__ALLOWED_ORIGINS: JSON.stringify([allowed]),
    BILL_INQUIRY__SERVICE__KOS_MOCK__PORT: String(kosPort),
    BILL_INQUIRY__SERVICE__KOS_MOCK__LATENCY_MS: '0',
    BILL_INQUIRY__SYSTEM_CONFIG__CIRCUIT_FAILURE_THRESHOLD: '2',
    BILL_INQUIRY__SYSTEM_CONFIG__KOS_RETRY_DELAY_MS: '10',
  });
  const pages = await Promise.all([pageServer(allowedPort), pageServer(otherPort)]);
  after(() => pages.forEach((s) => s.close()));
  const serve = startCli(['--data-dir', dataDir, 'serve', '--port', String(port)], { env });
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'bi-chromium-'));
  let browser: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
  try {
    await serve.waitFor('Ctrl-C');
    const issued = await cli(
      [
        '--data-dir',
        dataDir,
        'token',
        '--format',
        'phonebill',
        '--user',
        'testuser01',
        '--customer',
        'CUST001',
        '--line',
        LINE,
      ],
      { env },
    );
    assert.equal(issued.code, 0, issued.stderr);
    const token = issued.stdout.trim().split('\n').at(-1)!;

    // Preflight without a token: answered by CORS before authentication.
    const preflight = await fetch(`${base}/api/v1/bills/inquiry`, {
      method: 'OPTIONS',
      headers: {
        origin: allowed,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), allowed);
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);
    const unlistedPreflight = await fetch(`${base}/api/v1/bills/inquiry`, {
      method: 'OPTIONS',
      headers: { origin: other, 'access-control-request-method': 'POST' },
    });
    assert.equal(unlistedPreflight.headers.get('access-control-allow-origin'), null);
    assert.equal(unlistedPreflight.headers.get('access-control-allow-methods'), null, 'no CORS header at all');
    for (const p of ['/ops', '/metrics', '/docs/json', '/actuator/health', '/ready']) {
      const r = await fetch(base + p, { headers: { origin: allowed } });
      assert.equal(r.headers.get('access-control-allow-origin'), null, `${p} answers no CORS`);
    }
    const designMenu = await fetch(`${base}/bills/menu`, {
      headers: { origin: allowed, authorization: `Bearer ${token}` },
    });
    assert.equal(designMenu.headers.get('access-control-allow-origin'), allowed, '/bills answers CORS too');

    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

    await page.goto(`${allowed}/`);
    const answer = await browserFetch(page, `${base}/api/v1/bills/inquiry`, {
      method: 'POST',
      token,
      body: { lineNumber: LINE },
    });
    assert.equal(answer.blocked, undefined, 'the allowed origin is not blocked');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(typeof answer.body.data.billInfo.totalFee, 'number', 'the body is readable');
    assert.ok(answer.body.data.billInfo.productName);
    const design = await browserFetch(page, `${base}/bills/menu`, { method: 'GET', token });
    assert.equal(design.status, 200, 'the design API from the same page');

    const denied = await browserFetch(page, `${base}/api/v1/bills/inquiry`, {
      method: 'POST',
      token: 'not-a-token',
      body: { lineNumber: LINE },
    });
    assert.equal(denied.status, 401);
    assert.match(denied.body.message, KOREAN, "a 401's message is readable from the allowed origin");

    // The breaker open: 503, its message readable too.
    await fetch(`http://127.0.0.1:${kosPort}${KOS_PATHS.admin}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ force: 'systemError' }),
    });
    const forbidden = await browserFetch(page, `${base}/api/v1/bills/inquiry`, {
      method: 'POST',
      token,
      body: { lineNumber: '010-8765-4321' },
    });
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body.message, KOREAN, "a 403's message is readable from the allowed origin");
    let broken = { status: 0, body: undefined as any, blocked: undefined as string | undefined };
    const month = (k: number) => {
      const d = new Date();
      d.setUTCDate(15);
      d.setUTCMonth(d.getUTCMonth() - k);
      return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    };
    for (let k = 1; k < 20 && broken.status !== 503; k++)
      broken = await browserFetch(page, `${base}/api/v1/bills/inquiry`, {
        method: 'POST',
        token,
        body: { lineNumber: LINE, inquiryMonth: month(k) },
      });
    assert.equal(broken.status, 503, JSON.stringify(broken));
    assert.match(broken.body.message, KOREAN, "a 503's message is readable from the allowed origin");

    await page.goto(`${other}/`);
    const blocked = await browserFetch(page, `${base}/api/v1/bills/inquiry`, {
      method: 'POST',
      token,
      body: { lineNumber: LINE },
    });
    assert.equal(blocked.status, 0);
    assert.match(blocked.blocked ?? '', /TypeError|Failed to fetch/, 'the browser blocks the unlisted origin');
    t.diagnostic(
      `allowed: 200 totalFee ${answer.body.data.billInfo.totalFee}; 401/403/503 readable; unlisted: ${blocked.blocked}`,
    );
    assert.ok(
      errors.some((e) => /CORS|Access-Control-Allow-Origin/.test(e)),
      `Chromium reports the CORS block: ${errors.join(' | ')}`,
    );
  } finally {
    await browser?.close();
    rmSync(userDataDir, { recursive: true, force: true });
    assert.equal(await serve.stop(), 0, serve.stderr.slice(-4000));
  }
});
