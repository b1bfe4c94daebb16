import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { measure } from '../../src/drill/failover.js';
import type { LoadDriver } from '../../src/drill/loadDriver.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bi-drill-unit-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('failover drill: a throw after the writers started stops them (the CLI does not hang)', async () => {
  // The default HA nodes, none started: the leader has no postmaster, so the drill throws after warm-up.
  const cfg = loadConfig({ env: {}, overrides: { dataDir } });
  let attempts = 0;
  const driver: LoadDriver = {
    description: 'counting writes',
    attempt: async () => {
      attempts++;
      await new Promise((r) => setTimeout(r, 5));
      return String(attempts);
    },
    lost: async () => 0,
    persisted: async () => true,
    close: async () => undefined,
  };
  await assert.rejects(measure(cfg, driver, cfg.ha.nodes[0]!.name, 3, { warmupS: 0.1 }), /no running postmaster/);
  assert.ok(attempts > 0, 'the writers ran during the warm-up');
  const stoppedAt = attempts;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(attempts, stoppedAt, 'no writer is still writing');
});
