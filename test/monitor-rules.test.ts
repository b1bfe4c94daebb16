import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { loadConfig } from '../src/config/load.js';
import { prometheusRules } from '../src/monitor/alerts/promRules.js';
import { run } from '../src/system/run.js';
import { cli } from './helpers/cli.js';
import { tempDataDir } from './helpers/tempCluster.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'monitor-rules.promtest.yml');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rulesOf = (yaml: string) => (YAML.parse(yaml) as { groups: Array<{ rules: Rule[] }> }).groups[0]!.rules;

/** Replaces `__ALERT:Name[:k=v;…]__` placeholders with the generated rule's labels and annotations. */
function fillExpectations(node: unknown, rules: Rule[]): unknown {
  if (typeof node === 'string') {
    const m = /^__ALERT:(\w+)(?::(.*))?__$/.exec(node);
    if (!m) return node;
    const rule = rules.find((r) => r.alert === m[1]);
    assert.ok(rule, `generated rules contain ${m[1]}`);
    const extra = Object.fromEntries(
      (m[2] ?? '')
        .split(';')
        .filter(Boolean)
        .map((kv) => kv.split('=')),
    );
    return { exp_labels: { ...rule.labels, ...extra }, exp_annotations: rule.annotations };
  }
  if (Array.isArray(node)) return node.map((n) => fillExpectations(n, rules));
  if (node && typeof node === 'object')
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fillExpectations(v, rules)]));
  return node;
}

test('generated rules carry the §8.1 thresholds and §14.2 severities, and pass promtool check + unit tests', async () => {
  const cfg = loadConfig({ env: {}, overrides: { dataDir: tempDataDir() } });
  const yaml = prometheusRules(cfg);
  const rules = rulesOf(yaml);
  const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
  assert.match(byName.BillInquiryCpuHigh!.expr, />= 85$/);
  assert.match(byName.BillInquiryMemoryHigh!.expr, />= 90$/);
  assert.match(byName.BillInquiryDiskHigh!.expr, />= 80$/);
  assert.match(
    byName.BillInquiryConnectionsHigh!.expr,
    /100 \* bill_inquiry_db_connections_used \/ bill_inquiry_db_connections_max >= 90/,
  );
  assert.match(byName.BillInquiryResponseSlow!.expr, />= 500/);
  assert.match(byName.BillInquiryFailedConnections!.expr, />= 10$/);
  assert.equal(byName.BillInquiryKosBreakerOpen!.labels.severity, '1');
  assert.match(
    byName.BillInquiryHistoryJournalFilling!.expr,
    /bill_inquiry_history_journal_budget_used_percent >= 50$/,
  );
  assert.equal(byName.BillInquiryHistoryJournalFilling!.labels.severity, '1');
  assert.equal(byName.BillInquiryCpuHigh!.labels.severity, '2');
  assert.match(byName.BillInquiryCpuHigh!.annotations.response!, /2 h/);

  const dir = tempDataDir('bi-promtool-');
  writeFileSync(path.join(dir, 'rules.yml'), yaml);
  const check = await run('promtool', ['check', 'rules', path.join(dir, 'rules.yml')]);
  assert.match(check.stdout + check.stderr, new RegExp(`SUCCESS: ${rules.length} rules found`));

  const tests = fillExpectations(YAML.parse(readFileSync(FIXTURE, 'utf8')), rules);
  writeFileSync(path.join(dir, 'rules.test.yml'), YAML.stringify(tests));
  const unit = await run('promtool', ['test', 'rules', path.join(dir, 'rules.test.yml')], { okCodes: [1] });
  assert.equal(unit.code, 0, `promtool test rules failed:\n${unit.stdout}${unit.stderr}`);
  assert.match(unit.stdout + unit.stderr, /SUCCESS/);
});

test('thresholds follow the config: a changed CPU limit and severity show up in the rules', async () => {
  const cfg = loadConfig({
    env: {},
    overrides: {
      dataDir: tempDataDir(),
      monitor: { alerts: { cpuPercent: { threshold: 70, severity: 3 }, diskPercent: { enabled: false } } },
    },
  });
  const rules = rulesOf(prometheusRules(cfg));
  const cpu = rules.find((r) => r.alert === 'BillInquiryCpuHigh')!;
  assert.match(cpu.expr, />= 70$/);
  assert.equal(cpu.labels.severity, '3');
  assert.equal(
    rules.find((r) => r.alert === 'BillInquiryDiskHigh'),
    undefined,
    'a disabled alert generates no rule',
  );
});

test('monitor rules --write FILE writes what --print prints', async () => {
  const dir = tempDataDir();
  const file = path.join(dir, 'out.yml');
  const printed = await cli(['--data-dir', dir, 'monitor', 'rules', '--print']);
  assert.equal(printed.code, 0, printed.stderr);
  const written = await cli(['--data-dir', dir, 'monitor', 'rules', '--write', file]);
  assert.equal(written.code, 0, written.stderr);
  assert.equal(readFileSync(file, 'utf8'), printed.stdout);
});
