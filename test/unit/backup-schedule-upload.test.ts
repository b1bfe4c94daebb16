import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scheduleLines } from '../../src/backup/schedule.js';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';

const weekly = (overrides: ConfigInput) =>
  scheduleLines(loadConfig({ env: {}, overrides: { dataDir: '/srv/bi', ...overrides } }), {
    hostZone: 'Asia/Seoul',
    cli: 'bill-inquiry',
  })[3]!;

test('backup schedule: the weekly logical dump goes to the Blob container once one is configured (§9.1)', () => {
  assert.match(weekly({}), /^0 3 \* \* 0 bill-inquiry --data-dir \/srv\/bi backup logical >> /);
  assert.match(
    weekly({ azure: { logicalBackup: { accountUrl: 'https://dumps.blob.core.windows.net' } } }),
    /^0 3 \* \* 0 bill-inquiry --data-dir \/srv\/bi backup logical --upload >> /,
  );
  assert.match(
    weekly({ azure: { subscriptionId: '00000000-0000-0000-0000-000000000000' } }),
    /backup logical --upload >> /,
  );
});
