import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { evaluateAlerts } from '../../src/monitor/alerts/evaluate.js';
import { backupCheckOverride } from '../../src/monitor/backup/backupState.js';
import type { BackupStatus } from '../../src/monitor/backup/backupStatus.js';
import type { MonitorSnapshot } from '../../src/monitor/snapshot.js';

// Issue 20: the backup states where the age of the last backup is not the story.
const cfg = loadConfig({ env: {}, file: undefined });

const backupAlert = (backup: BackupStatus) =>
  evaluateAlerts(cfg, {
    at: new Date().toISOString(),
    members: [],
    expectedReplicas: 0,
    streamingReplicas: 0,
    failedConnectionsLastMin: 0,
    deadLetterRows: 0,
    journal: { bytes: 0, budgetUsedPercent: 0 },
    backup,
  } satisfies MonitorSnapshot).find((a) => a.name === 'backupAgeH')!;

const unavailable = {
  configured: true,
  repos: [],
  unavailable: {
    reason: 'pgBackRest cannot back up this cluster: unsupported version 17',
    fix: 'install PostgreSQL 15',
  },
} satisfies BackupStatus;
const firstRunning = {
  configured: true,
  repos: [],
  firstBackup: { startedAt: '2026-12-06T00:00:00.000Z', step: 'repo1 (1 of 2) since 2026-12-06T00:00:00.000Z' },
} satisfies BackupStatus;

test('backups that cannot run: the alert fires and the checklist fails, both with the reason and the fix', () => {
  const a = backupAlert(unavailable);
  assert.equal(a.firing, true);
  assert.match(a.detail, /backups cannot run: .*unsupported version 17.*Fix: install PostgreSQL 15/);
  const c = backupCheckOverride(unavailable)!;
  assert.equal(c.status, 'fail');
  assert.match(c.detail, /cannot run.*no recovery/);
  assert.equal(c.action, 'install PostgreSQL 15');
});

test('the first backup running: no alert, a warning that says so; once a backup exists the age rules again', () => {
  const a = backupAlert(firstRunning);
  assert.equal(a.firing, false);
  assert.match(a.detail, /first backup running: repo1 \(1 of 2\)/);
  assert.equal(backupCheckOverride(firstRunning)!.status, 'warn');
  const aged = { ...firstRunning, ageHours: 30, lastSuccessAt: '2026-12-05T00:00:00.000Z' };
  assert.equal(backupCheckOverride(aged), undefined);
  assert.equal(backupAlert(aged).firing, true);
  // Without either state, a configured system with no backup still fires (the age rule).
  assert.equal(backupAlert({ configured: true, repos: [] }).firing, true);
  assert.equal(backupCheckOverride({ configured: true, repos: [] }), undefined);
});
