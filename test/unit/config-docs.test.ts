import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { CONFIG_DOC, configKeys, envName, renderConfigDoc } from '../../scripts/configDocs.js';
import { fromEnv } from '../../src/config/load.js';
import { PHONEBILL_ENV_VARS } from '../../src/config/phonebillEnv.js';

// Issue 20: docs/configuration.md is generated from the config schema and its JSDoc (npm run docs:config).

test('docs/configuration.md is what `npm run docs:config` generates from the schema', () => {
  const expected = renderConfigDoc();
  if (process.env.WRITE_DOCS) return writeFileSync(CONFIG_DOC, expected);
  // Compared as a boolean: on a mismatch the message says how to fix it instead of printing both pages.
  assert.ok(
    readFileSync(CONFIG_DOC, 'utf8') === expected,
    'docs/configuration.md differs from the config schema: run `npm run docs:config` and commit the result',
  );
});

test('every key: its environment variable sets exactly that key', () => {
  const keys = configKeys();
  assert.ok(keys.length > 250, `${keys.length} keys`);
  for (const k of keys.filter((x) => !x.path.includes('[]'))) {
    const name = envName(k.path)!;
    const set = k.path
      .split('.')
      .reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], fromEnv({ [name]: '1' }));
    assert.equal(set, 1, `${name} → ${k.path}`);
  }
});

test('descriptions come from the JSDoc, through helpers and array elements; plan sections from them or the parent', () => {
  const key = (p: string) => configKeys().find((k) => k.path === p)!;
  assert.match(key('backup.firstBackup.enabled').description, /^Off for tests, drills and the bench/);
  // A helper arrow function's z.object (monitor's alert(…)) and an array element's schema (backup.repos[]).
  assert.match(key('monitor.alerts.cpuPercent.action').description, /대응 방안/);
  assert.match(key('backup.repos[].endpoint').description, /pgBackRest connects to this name/);
  assert.equal(envName('backup.repos[].endpoint'), undefined);
  // A key without a comment of its own (systemConfig: the settings table's description via zod's).
  assert.match(key('systemConfig.kosRetryMaxAttempts').description, /`kos\.retry\.max\.attempts`: KOS maximum retries/);
  assert.deepEqual(key('backup.retentionFullDays').plan, ['§9.2']);
  assert.deepEqual(key('pool.size').plan, ['§5.2'], 'inherited from the section');
  assert.equal(key('backup.retentionFullDays').default, '35');
  assert.equal(key('cluster.pgBin').default, undefined);
});

test('the phonebill column: every phonebill variable that sets a key names one the page lists', () => {
  const paths = new Set(configKeys().map((k) => k.path));
  const mapped = PHONEBILL_ENV_VARS.filter((v) => v.key);
  assert.deepEqual(
    mapped.filter((v) => !paths.has(v.key!)).map((v) => v.name),
    [],
  );
  assert.match(readFileSync(CONFIG_DOC, 'utf8'), /\| `service\.port` \|.*\| `SERVER_PORT` \|/);
});
