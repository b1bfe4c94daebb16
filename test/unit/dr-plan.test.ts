import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { drPlanCheck, locateDrPlan, reviewedAt } from '../../src/monitor/checklists/drPlan.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bi-drplan-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const NOW = new Date('2026-12-15T00:00:00Z');
const SCENARIOS = '## Primary failure\n## Region failure\n## Data corruption\n';

test('the shipped runbook is found from any working directory, and passes', () => {
  const found = locateDrPlan('docs/disaster-recovery.md', os.tmpdir());
  assert.match(found, /docs\/disaster-recovery\.md$/);
  assert.notEqual(path.dirname(path.dirname(found)), os.tmpdir(), 'from the package root, not the cwd');
  const item = drPlanCheck('docs/disaster-recovery.md', 10_000, NOW);
  assert.equal(item.status, 'pass', item.detail);
  assert.match(item.detail, /last reviewed \d{4}-\d{2}-\d{2} \(review line\)/);
  assert.match(item.detail, /covers primary failure, region failure, data corruption/);
});

test('an operator’s plan in the working directory wins; an absolute path is taken as is', () => {
  writeFileSync(path.join(dir, 'dr.md'), `Last reviewed: 2026-12-01\n${SCENARIOS}`);
  assert.equal(locateDrPlan('dr.md', dir), path.join(dir, 'dr.md'));
  assert.equal(locateDrPlan('/nowhere/dr.md', dir), '/nowhere/dr.md');
  assert.equal(drPlanCheck(path.join(dir, 'dr.md'), 31, NOW).status, 'pass');
});

test('review date: the "Last reviewed:" line, else the file time; stale after maxAgeDays', () => {
  assert.deepEqual(reviewedAt('**Last reviewed:** 2026-11-29', new Date(0)), {
    at: new Date('2026-11-29T00:00:00Z'),
    from: 'review line',
  });
  assert.equal(reviewedAt('no line', new Date(5)).from, 'file time');
  writeFileSync(path.join(dir, 'old.md'), `Last reviewed: 2026-10-01\n${SCENARIOS}`);
  const old = drPlanCheck(path.join(dir, 'old.md'), 31, NOW);
  assert.equal(old.status, 'warn');
  assert.match(old.detail, /75 days ago \(review every 31 days\)/);
  writeFileSync(path.join(dir, 'undated.md'), SCENARIOS);
  utimesSync(path.join(dir, 'undated.md'), NOW, NOW);
  assert.equal(drPlanCheck(path.join(dir, 'undated.md'), 31, NOW).status, 'pass');
});

test('a plan without a §9.2 scenario, or no plan at all, is a warning that says what is missing', () => {
  writeFileSync(path.join(dir, 'partial.md'), 'Last reviewed: 2026-12-10\n## Primary failure\n');
  const partial = drPlanCheck(path.join(dir, 'partial.md'), 31, NOW);
  assert.equal(partial.status, 'warn');
  assert.match(partial.detail, /no procedure for: region failure, data corruption/);
  const none = drPlanCheck(path.join(dir, 'missing.md'), 31, NOW);
  assert.equal(none.status, 'warn');
  assert.match(none.detail, /no DR plan at/);
});
