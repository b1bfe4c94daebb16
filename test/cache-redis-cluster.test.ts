import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { mockBill } from '../src/kos/mock/billData.js';
import { RedisTier } from '../src/service/cache/redisTier.js';
import { ColumnCipher } from '../src/service/crypto/columnCipher.js';
import { Keyring } from '../src/service/crypto/keyring.js';
import { SecretStore } from '../src/system/secrets.js';
import { startRedis } from './helpers/redis.js';
import { tempDataDir } from './helpers/tempCluster.js';

/**
 * The Redis tier on a Redis Cluster (the physical architecture's Azure Premium
 * P2 has 3 shards): three real redis-server masters, keys spread over them, one
 * killed — reads of its keys become misses, the others still hit, nothing throws.
 */
test('Redis Cluster: keys spread over three masters; a lost master costs only its keys', async () => {
  const PASSWORD = 'cluster-test-password-0123456789';
  const nodes = await Promise.all([0, 1, 2].map(() => startRedis({ password: PASSWORD, cluster: true })));
  execFileSync(
    'redis-cli',
    [
      '-a',
      PASSWORD,
      '--no-auth-warning',
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ],
    { stdio: 'ignore' },
  );
  const cli = (port: number, ...args: string[]) =>
    execFileSync('redis-cli', ['-p', String(port), '-a', PASSWORD, '--no-auth-warning', ...args], { encoding: 'utf8' });
  for (let i = 0; i < 100 && !nodes.every((n) => cli(n.port, 'cluster', 'info').includes('cluster_state:ok')); i++)
    await new Promise((r) => setTimeout(r, 100));

  const dataDir = tempDataDir();
  const cfg = loadConfig({
    env: {},
    overrides: { dataDir, service: { cache: { redis: { url: nodes[0]!.url, cluster: true } } } },
  });
  new SecretStore(dataDir).put(cfg.service.cache.redis.passwordSecret, PASSWORD);
  const cipher = new ColumnCipher(new Keyring(new SecretStore(dataDir)));
  const tier = new RedisTier(
    { ...cfg.service.cache.redis, url: nodes[0]!.url },
    dataDir,
    cipher,
    createLogger({ name: 'cluster-test' }),
  );
  try {
    for (let i = 0; i < 100 && !tier.ready; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(tier.ready, 'the cluster client is ready');
    const lines = Array.from({ length: 30 }, (_, i) => `010-3000-${String(i).padStart(4, '0')}`);
    const bills = lines.map((l) => ({
      line: l,
      bill: { ...mockBill(l.replace(/-/g, ''), '202610'), billingMonth: '2026-10' },
    }));
    for (const { line, bill } of bills) tier.putBill(line, '2026-10', bill as never, 3_600_000);
    for (let i = 0; i < 50 && (await tier.getBill(lines.at(-1)!, '2026-10')) === undefined; i++)
      await new Promise((r) => setTimeout(r, 50));
    const sizes = nodes.map((n) => Number(cli(n.port, 'dbsize').trim()));
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      30,
      `30 keys in all: ${sizes.join(' + ')}`,
    );
    assert.ok(
      sizes.every((n) => n > 0),
      `spread over every master: ${sizes.join(', ')}`,
    );
    for (const { line, bill } of bills) {
      const hit = await tier.getBill(line, '2026-10');
      assert.deepEqual(hit?.bill, bill);
      assert.ok(hit.ttlMs > 3_500_000);
    }

    await nodes[2]!.kill();
    const hits = (await Promise.all(lines.map((l) => tier.getBill(l, '2026-10')))).filter(Boolean).length;
    assert.ok(hits >= 30 - sizes[2]! - 1 && hits < 30, `the other masters still answer: ${hits} of 30 hits`);
  } finally {
    await tier.close();
  }
});
