import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { ensureTls } from '../src/cluster/local/tls.js';
import { staticLocator } from '../src/topology/locators.js';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { startService, type StartedService } from '../src/service/start.js';
import { startRedis } from './helpers/redis.js';
import { startServiceHarness } from './helpers/service.js';
import { tempDataDir } from './helpers/tempCluster.js';

/**
 * Redis as the shared cache tier (phonebill's physical architecture: Azure
 * Cache for Redis over TLS): a real redis-server, TLS-only with a password,
 * shared by two service instances; stopped and hung under load.
 */
const PASSWORD = 'redis-test-password-0123456789';
const tls = await ensureTls(tempDataDir('bi-redis-tls-'));
const redis = await startRedis({
  password: PASSWORD,
  tls: { cert: tls.serverCert, key: tls.serverKey, ca: tls.caCert },
});
// The password reaches the service from the environment, as an Azure access key would (never from config).
process.env.BILL_INQUIRY_SECRET_REDIS_PASSWORD = PASSWORD;
const h = await startServiceHarness({
  overrides: {
    service: { cache: { redis: { url: redis.url, caFile: tls.caCert, commandTimeoutMs: 200 } } },
    systemConfig: { circuitFailureThreshold: 1000 },
  },
});
/** The test's own look into Redis. */
const peek = new Redis(redis.url, {
  password: PASSWORD,
  tls: { ca: readFileSync(tls.caCert) },
  lazyConnect: true,
  maxRetriesPerRequest: 0,
});
peek.on('error', () => undefined);
after(() => peek.disconnect());

const LINES = ['010-2000-0001', '010-2000-0002', '010-2000-0003', '010-2000-0004', '010-2000-0005'];
const token = h.token('redis-user', LINES);
const months = availableMonths(currentMonth('Asia/Seoul'), 24);
const PREFIX = 'bill-inquiry:';

/** Another instance of the service on the same database and Redis: its own (empty) in-process cache. */
async function secondInstance(): Promise<StartedService> {
  const s = await startService(h.cfg, {
    port: 0,
    kosUrl: h.kos.url,
    locator: staticLocator({ host: h.cfg.cluster.host, port: h.primary.port }),
  });
  after(() => s.stop());
  return s;
}

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Redis as the shared cache tier', () => {
  test('a KOS answer is shared through Redis (TLS, password), encrypted, with the TTL of system_config', async () => {
    await until('the service connected to Redis', async () => h.service.runtime.redis?.ready === true);
    const month = months[2]!;
    const first = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINES[0], inquiryMonth: month } });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const key = `${PREFIX}bill_info:${LINES[0]}:${month}`;
    await peek.connect();
    await until('the bill in Redis', async () => (await peek.exists(key)) === 1);
    const raw = (await peek.get(key))!;
    assert.match(raw, /^gcm1\.k\d{14}\./, 'encrypted with the column cipher, as in bill_info_cache');
    assert.ok(!raw.includes(first.body.data.billInfo.productName), 'no plaintext in Redis');
    const ttl = await peek.pttl(key);
    const hours = h.cfg.systemConfig.billCacheTtlHours;
    assert.ok(ttl > (hours * 3600 - 60) * 1000 && ttl <= hours * 3600 * 1000, `bill.cache.ttl.hours: ${ttl} ms`);

    // Another instance answers from Redis: not from KOS, and not from the table (emptied here).
    await h.flush();
    await h.sql('DELETE FROM bill_info_cache');
    const other = await secondInstance();
    const kosCalls = h.kos.calls.bill;
    const r = await fetch(`${other.url}/bills/inquiry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ lineNumber: LINES[0], inquiryMonth: month }),
    });
    const body = (await r.json()) as { data: { billInfo: unknown } };
    assert.equal(r.status, 200);
    assert.deepEqual(body.data.billInfo, first.body.data.billInfo);
    assert.equal(h.kos.calls.bill, kosCalls, 'served from Redis');

    // Customer info too, and the TTL follows system_config live.
    await h.sql(`UPDATE system_config SET config_value = '2' WHERE config_key = 'bill.customer.cache.ttl.hours'`);
    await until('the new TTL', async () => h.service.runtime.live.settings.customerCacheTtlMs === 2 * 3_600_000);
    assert.equal((await h.api('GET', '/bills/menu', { token: h.token('menu-user', [LINES[1]!]) })).status, 200);
    const ckey = `${PREFIX}customer_info:${LINES[1]}`;
    await until('the customer in Redis', async () => (await peek.exists(ckey)) === 1);
    assert.match((await peek.get(ckey))!, /^gcm1\./);
    const cttl = await peek.pttl(ckey);
    assert.ok(cttl > 7_000_000 && cttl <= 7_200_000, `bill.customer.cache.ttl.hours = 2: ${cttl} ms`);
  });

  test('Redis killed and hung under load: no request fails, and sharing resumes when it is back', async () => {
    const other = await secondInstance();
    const targets = [h.url, other.url];
    // Every (instance, line, month) once: each is a miss of that instance's in-process cache, so each reads Redis.
    const work = targets.flatMap((url) =>
      LINES.flatMap((line) => months.slice(4, 16).map((month) => ({ url, line, month }))),
    );
    const statuses: number[] = [];
    let next = 0;
    let killed = false;
    let restarted = false;
    const worker = async () => {
      while (next < work.length) {
        const w = work[next++]!;
        const r = await fetch(`${w.url}/bills/inquiry`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ lineNumber: w.line, inquiryMonth: w.month }),
        });
        await r.arrayBuffer();
        statuses.push(r.status);
        if (!killed && next >= work.length / 3) {
          killed = true;
          await redis.kill();
        }
        if (!restarted && next >= (2 * work.length) / 3) {
          restarted = true;
          await redis.start();
        }
      }
    };
    const failedBefore = h.service.runtime.redis!.failedCommands;
    await Promise.all(Array.from({ length: 6 }, worker));
    assert.equal(statuses.length, work.length);
    assert.deepEqual(
      statuses.filter((s) => s !== 200),
      [],
      `every one of ${work.length} inquiries answered 200 while Redis went away and came back`,
    );
    assert.ok(h.service.runtime.redis!.failedCommands > failedBefore, 'Redis did fail meanwhile');
    await h.flush();
    const [copy] = await h.sql<{ n: string }>('SELECT count(*) AS n FROM bill_info_cache WHERE line_number = ANY($1)', [
      LINES,
    ]);
    assert.ok(
      Number(copy!.n) >= LINES.length * 12,
      `bill_info_cache kept the persistent copy throughout: ${copy!.n} rows`,
    );

    // Back: a fresh miss is shared again.
    const month = months[20]!;
    const key = `${PREFIX}bill_info:${LINES[2]}:${month}`;
    // Only a miss writes Redis (a repeat is an in-process hit): ask once the tier has reconnected.
    await until('the service reconnected to Redis', async () => h.service.runtime.redis?.ready === true, 30_000);
    const fresh = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINES[2], inquiryMonth: month } });
    assert.equal(fresh.status, 200);
    await until('the fresh miss is shared through Redis', async () => (await peek.exists(key).catch(() => 0)) === 1);

    // Hung (SIGSTOP: connections stay open, nothing answers): the command timeout turns every read into a miss.
    process.kill(redis.pid()!, 'SIGSTOP');
    try {
      for (const m of months.slice(16, 20)) {
        const r = await h.api('POST', '/bills/inquiry', { token, body: { lineNumber: LINES[3], inquiryMonth: m } });
        assert.equal(r.status, 200);
      }
    } finally {
      process.kill(redis.pid()!, 'SIGCONT');
    }
  });
});
