import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { installSchedule, scheduleLines } from '../src/backup/schedule.js';
import { loadConfig } from '../src/config/load.js';
import { tempDataDir } from './helpers/tempCluster.js';

test('backup schedule --install writes a cron.d file: root user on every job line, PATH set, mode 0644', () => {
  const cfg = loadConfig({ env: {}, overrides: { dataDir: tempDataDir() } });
  // 02:00 KST is 17:00 UTC the day before: Sunday's full backup runs Saturday 17:00 on a UTC host.
  const lines = scheduleLines(cfg, {
    hostZone: 'UTC',
    at: new Date('2026-11-24T00:00:00Z'),
    cli: '/usr/bin/node /opt/bill-inquiry/bin/bill-inquiry.mjs',
  });
  const file = installSchedule(lines, path.join(cfg.dataDir, 'bill-inquiry-backup'));
  const text = readFileSync(file, 'utf8');
  assert.equal(statSync(file).mode & 0o777, 0o644, 'cron ignores group/other-writable files');
  assert.match(text, /^SHELL=\/bin\/sh\nPATH=/);
  const jobs = text.split('\n').filter((l) => /^\d/.test(l));
  assert.equal(jobs.length, 3, 'full, diff and logical');
  for (const job of jobs) assert.match(job, /^\d+ \d+ \* \* [\d,]+ root \/usr\/bin\/node /, job);
  assert.ok(
    jobs.some((j) => /^0 17 \* \* 6 root .* backup run --type full/.test(j)),
    jobs.join('\n'),
  );
});
