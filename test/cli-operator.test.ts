import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SecretStore } from '../src/system/secrets.js';
import { cli, json } from './helpers/cli.js';
import { appliedCluster } from './helpers/platform.js';

test('operator commands on a running cluster: monitor snapshot, monitor token, keys list', async () => {
  const { cfg } = await appliedCluster();
  const bi = (...args: string[]) =>
    cli(['--data-dir', cfg.dataDir, ...args], { env: { BILL_INQUIRY__CLUSTER__PORT: String(cfg.cluster.port) } });

  const snapshot = await bi('--json', 'monitor', 'snapshot');
  assert.equal(snapshot.code, 0, snapshot.stderr);
  const s = json<{ primary?: { name: string }; database?: { connections?: { max?: number } } }>(snapshot);
  assert.equal(s.primary?.name, 'primary', 'the snapshot reads the live primary');
  assert.match(snapshot.stdout, /"max(Connections)?": 200/, 'max_connections as the server reports it');

  const token = await bi('monitor', 'token');
  assert.equal(token.code, 0, token.stderr);
  const printed = token.stdout.trim().split('\n').at(-1)!;
  const store = new SecretStore(cfg.dataDir, {});
  assert.equal(printed, store.peek('ops-admin-token'), 'prints the stored /ops admin token');
  assert.equal(statSync(path.join(store.dir, 'ops-admin-token')).mode & 0o777, 0o600);

  const keys = await bi('--json', 'keys', 'list');
  assert.equal(keys.code, 0, keys.stderr);
  const k = json<{ current?: string; keys?: Array<{ id: string } | string> }>(keys);
  assert.ok(k.current, `a current key id: ${keys.stdout}`);
});
