import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { costEstimate } from '../../src/monitor/checklists/cost.js';

const estimate = (overrides: ConfigInput = {}, usedGb = 0) => costEstimate(loadConfig({ env: {}, overrides }), usedGb);
const lines = (e: ReturnType<typeof estimate>) =>
  Object.fromEntries(e.lines.map((l) => [l.item, Math.round(l.monthly)]));

test('the defaults reproduce the plan §11.1: $755 a month, $605 with the reserved instance', () => {
  const e = estimate();
  assert.deepEqual(lines(e), {
    'main server': 450,
    'read replica': 225,
    'storage (256 GB)': 50,
    'backup storage': 20,
    networking: 10,
  });
  assert.equal(Math.round(e.total), 755);
  assert.equal(Math.round(e.reservedTotal), 605);
  assert.deepEqual(e.unpriced, []);
});

test('a changed SKU, storage size or price changes the estimate: it is computed, not copied from the plan', () => {
  const e = estimate({
    azure: { sku: 'Standard_D8s_v3', storageGb: 512 },
    monitor: {
      cost: {
        compute: {
          Standard_D8s_v3: { monthly: 900, reserved1y: 700 },
          Standard_D2s_v3: { monthly: 240, reserved1y: 180 },
        },
      },
    },
  });
  assert.equal(lines(e)['main server'], 900);
  assert.equal(lines(e)['read replica'], 240);
  assert.equal(lines(e)['storage (512 GB)'], 100);
  assert.equal(Math.round(e.total), 900 + 240 + 100 + 20 + 10);
  assert.equal(Math.round(e.reservedTotal), 700 + 180 + 100 + 20 + 10);
});

test('a SKU without a price is named, not priced at the plan figure', () => {
  assert.deepEqual(estimate({ azure: { replicaSku: 'Standard_E4s_v5' } }).unpriced, ['Standard_E4s_v5']);
});

test('data beyond the provisioned storage is billed (auto-grow); below it, the provisioned size is', () => {
  assert.equal(Math.round(estimate({}, 10).total), 755);
  const grown = estimate({}, 512);
  assert.equal(grown.storageGb, 512);
  assert.equal(Math.round(grown.total), 805);
  assert.equal(Math.round(grown.configuredTotal), 755);
});

test("Azure's actual bill, on request: the zone-redundant standby and the replica's storage", () => {
  const e = estimate({ monitor: { cost: { countStandbyAndReplicaStorage: true } } });
  assert.equal(lines(e)['main server + HA standby'], 900);
  assert.equal(lines(e)['storage (256 GB ×3)'], 150);
  assert.equal(Math.round(e.total), 900 + 225 + 150 + 20 + 10);
});
