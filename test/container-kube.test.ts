import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../src/config/load.js';
import type { ConfigInput } from '../src/config/schema.js';
import { JOB_COMMANDS } from '../src/k8s/jobs.js';
import { objectNames } from '../src/k8s/names.js';
import { renderK8s } from '../src/k8s/render.js';
import { gracePeriodSeconds } from '../src/k8s/workload.js';
import { issueToken } from '../src/service/auth/tokens.js';
import { Keyring } from '../src/service/crypto/keyring.js';
import { freePort } from '../src/system/freePort.js';
import { SecretStore } from '../src/system/secrets.js';
import {
  buildImage,
  envFile,
  imageDataDir,
  podman,
  runArgs,
  secretEnv,
  track,
  uniqueName,
} from './helpers/container.js';
import { playFiles, podmanSecretJson } from './helpers/kubePlay.js';
import { startTempCluster, tempDataDir } from './helpers/tempCluster.js';

const LINES = ['010-1234-5678', '010-2222-3333'];

test('k8s render under podman kube play: the migration Job applies the database, the pod gets ready and answers, liveness stays green through kill -9 of the database, the journal volume outlives its pod, kube down drains with 0 failed requests; each CronJob command succeeds in the image', async (t) => {
  const image = buildImage();
  const { cfg: clusterCfg, primary } = await startTempCluster();
  const ca = readFileSync(path.join(clusterCfg.dataDir, 'tls', 'ca.crt'), 'utf8');
  const port = await freePort();
  const input: ConfigInput = {
    server: { memoryMb: 1024 },
    service: {
      port,
      database: { primary: { host: '127.0.0.1', port: primary.port }, caFile: '/etc/bill-inquiry/ca.crt' },
      shutdownDrainMs: 2000,
      history: { flushIntervalMs: 50 },
      // No KOS in these tests: the bundled mock, asked for by name (the external topology requires it).
      kosMock: { inProcess: true },
    },
    k8s: { image, imagePullPolicy: 'IfNotPresent' },
  };
  // The team's secret store: every login role's password, the JWT key, the column key (made once, shared by every pod).
  const team = tempDataDir('bi-team-');
  const cfg = loadConfig({ env: {}, overrides: { ...input, dataDir: team } });
  for (const role of Object.values(cfg.database.roles)) new SecretStore(team).get(role);
  const token = issueToken(cfg, { userId: 'kube-user', lines: LINES });
  void new Keyring(new SecretStore(team));
  const serviceSecrets = secretEnv(team);
  const adminUrl = `postgres://postgres:${encodeURIComponent(new SecretStore(clusterCfg.dataDir).get('postgres-superuser'))}@127.0.0.1:${primary.port}/postgres?sslmode=verify-full&sslrootcert=/etc/bill-inquiry/ca.crt`;
  // The admin jobs' Secret: the admin URL and the dumps' passphrase (kept by the team: a dump is useless without it).
  const adminSecrets = {
    BILL_INQUIRY_ADMIN_URL: adminUrl,
    [SecretStore.envName('logical-backup-passphrase')]: new SecretStore(team).get('logical-backup-passphrase'),
  };

  const render = renderK8s(cfg);
  const n = objectNames(cfg.k8s);
  // kube play reads secretRef'd secrets from podman's secret store, in its JSON form.
  for (const [name, data] of [
    [n.secrets, serviceSecrets],
    [n.adminSecrets, adminSecrets],
  ] as const) {
    await podman(['secret', 'rm', name]);
    const file = path.join(tempDataDir('bi-secret-'), name);
    writeFileSync(file, podmanSecretJson(data), { mode: 0o600 });
    const made = await podman(['secret', 'create', name, file]);
    assert.equal(made.code, 0, made.stderr);
    track.secret(name);
  }
  const files = playFiles(render, {
    // Tests stay on loopback: on the host network the image's 0.0.0.0 would be every interface.
    env: { BILL_INQUIRY__SERVICE__HOST: '127.0.0.1' },
    // The test cluster's CA (on AKS the server's CA is in the image's system bundle).
    extraConfig: { 'ca.crt': ca },
  });
  // The claim's volume and the ConfigMap's: a leftover of an earlier run would carry its journal in.
  for (const v of [files.claim, n.config]) {
    await podman(['volume', 'rm', '-f', v]);
    track.volume(v);
  }
  const base = `http://127.0.0.1:${port}`;
  const status = (p: string) =>
    fetch(base + p, { signal: AbortSignal.timeout(3000) }).then(
      (r) => r.status,
      () => 0,
    );
  const until = async (what: () => Promise<boolean>, timeoutMs = 180_000) => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (await what()) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  };
  const workloadContainer = async () => {
    const ps = await podman(['ps', '-a', '--format', '{{.Names}}']);
    return ps.stdout.split('\n').find((c) => c.startsWith(files.deployment) && c.endsWith(`-${files.container}`));
  };

  await t.test('the migration Job, as a pod: db apply as the admin identity applies the database', async () => {
    track.kube(files.migration);
    const play = await podman(['kube', 'play', '--network', 'host', files.migration]);
    assert.equal(play.code, 0, play.stderr);
    const ctr = `${render.migrationJob}-migrate`;
    const waited = await podman(['wait', ctr], { timeoutMs: 600_000 });
    const logs = await podman(['logs', ctr]);
    assert.equal(waited.stdout.trim(), '0', `db apply exits 0: ${logs.stderr.slice(-3000)}`);
    const tables = await primary.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'bill_inquiry_history'",
      [],
      cfg.database.name,
    );
    assert.equal(tables[0]!.n, '1');
    await podman(['kube', 'down', files.migration]);
  });

  await t.test(
    'the service pod: ready, an inquiry through it, liveness green through kill -9 of the database',
    async () => {
      track.kube(files.workload);
      const play = await podman(['kube', 'play', '--network', 'host', files.workload]);
      assert.equal(play.code, 0, play.stderr);
      const ctr = (await workloadContainer())!;
      assert.ok(ctr, 'the Deployment made its pod');
      const logs = async () => (await podman(['logs', ctr])).stderr.slice(-3000);
      assert.ok(
        await until(async () => (await status(cfg.k8s.probes.readiness.path)) === 200),
        `ready: ${await logs()}`,
      );
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const inquiry = await fetch(`${base}/bills/inquiry`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ lineNumber: LINES[0] }),
      });
      assert.equal(inquiry.status, 200, await inquiry.text());

      const health = async () => (await podman(['healthcheck', 'run', ctr])).code;
      assert.equal(await health(), 0, 'the liveness probe (podman runs it as a healthcheck) passes');
      const pid = (await primary.status()).pid!;
      process.kill(pid, 'SIGKILL');
      // Readiness may stay green (inquiries are still answered and journaled); liveness must.
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        assert.equal(await health(), 0, `liveness stays green with the database down (check ${i + 1})`);
      }
      await primary.start();
      assert.ok(
        await until(async () => (await status(cfg.k8s.probes.readiness.path)) === 200),
        `ready with the database back: ${await logs()}`,
      );
    },
  );

  await t.test(
    'the journal volume outlives its pod: acknowledged inquiries journaled while the database is down reach it after the pod is lost and replaced',
    async () => {
      await primary.stop('immediate');
      const acknowledged: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await fetch(`${base}/bills/inquiry`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ lineNumber: LINES[i % 2] }),
        });
        if (r.status === 200) acknowledged.push(((await r.json()) as { data: { requestId: string } }).data.requestId);
      }
      assert.ok(acknowledged.length > 0, 'inquiries are acknowledged with the database down (journaled)');
      // Node loss: the pod is killed and removed, its disk (the claim) stays.
      const pod = (await podman(['pod', 'ps', '--format', '{{.Name}}'])).stdout
        .split('\n')
        .find((p) => p.startsWith(files.deployment))!;
      assert.equal((await podman(['pod', 'kill', '-s', 'KILL', pod])).code, 0);
      assert.equal((await podman(['pod', 'rm', '-f', pod])).code, 0);
      assert.equal((await podman(['volume', 'exists', files.claim])).code, 0, 'the claim outlived the pod');
      await primary.start();
      // The replacement: the same Deployment on the same claim (which exists: no PVC in this file).
      const play = await podman(['kube', 'play', '--network', 'host', files.replacement]);
      assert.equal(play.code, 0, play.stderr);
      assert.ok(
        await until(async () => (await status(cfg.k8s.probes.readiness.path)) === 200),
        'the replacement pod is ready',
      );
      let rows = 0;
      await until(async () => {
        const r = await primary.query<{ n: string }>(
          'SELECT count(*) AS n FROM bill_inquiry_history WHERE request_id = ANY($1::text[])',
          [acknowledged],
          cfg.database.name,
        );
        rows = Number(r[0]!.n);
        return rows === acknowledged.length;
      }, 120_000);
      assert.equal(rows, acknowledged.length, 'every acknowledged inquiry of the lost pod is written: 0 lost');
    },
  );

  await t.test('podman kube down under load: 0 failed requests (clients leave when readiness says 503)', async () => {
    let draining = false;
    const failed: string[] = [];
    let ok = 0;
    const watch = (async () => {
      while (!draining) {
        if ((await status(cfg.k8s.probes.readiness.path)) !== 200) draining = true;
        else await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const client = async (k: number) => {
      for (let i = 0; !draining; i++) {
        const r = await fetch(`${base}/bills/inquiry`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ lineNumber: LINES[(k + i) % 2] }),
        }).then(
          (res) => res.status,
          (e: Error) => e.message,
        );
        if (r === 200) ok++;
        else failed.push(String(r));
      }
    };
    const clients = Array.from({ length: 8 }, (_, k) => client(k));
    await until(async () => ok >= 200 || failed.length > 0, 60_000);
    // What the kubelet does when the pod goes: SIGTERM, then up to terminationGracePeriodSeconds.
    // podman 4.3's `kube down` alone removes the pod without a SIGTERM (measured: a TERM trap never
    // ran) and its kube play ignores the grace period (stop timeout 10 s): so stop with the grace, then down.
    const pod = (await podman(['pod', 'ps', '--format', '{{.Name}}'])).stdout
      .split('\n')
      .find((p) => p.startsWith(files.deployment))!;
    const stop = await podman(['pod', 'stop', '-t', String(gracePeriodSeconds(cfg)), pod], { timeoutMs: 120_000 });
    const down = await podman(['kube', 'down', files.workload], { timeoutMs: 120_000 });
    draining = true;
    await Promise.all([...clients, watch]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(failed, []);
    assert.ok(ok >= 200, `load ran: ${ok} answered`);
  });

  // Each CronJob's command, once, in the image, as its job pod runs it: the ConfigMap, both Secrets, read-only root.
  const cronConf = tempDataDir('bi-cron-conf-');
  const cm = render.layers[0]!.objects.find((o) => (o.toJSON() as { kind: string }).kind === 'ConfigMap')!;
  for (const [file, text] of Object.entries({
    ...(cm.toJSON() as { data: Record<string, string> }).data,
    'ca.crt': ca,
  }))
    writeFileSync(path.join(cronConf, file), text, { mode: 0o644 });
  const cronEnv = envFile({ ...serviceSecrets, ...adminSecrets });
  const runJob = async (args: readonly string[]) => {
    const ctr = uniqueName('bi-cron');
    track.container(ctr);
    return podman(
      [...runArgs({ name: ctr, dataDir: imageDataDir(), confDir: cronConf, envFile: cronEnv }), image, ...args],
      { timeoutMs: 600_000 },
    );
  };

  await t.test('CronJob db-maintain: `db maintain` succeeds in the image', async () => {
    const r = await runJob(JOB_COMMANDS.maintain);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
  });

  await t.test('CronJob check-daily: `check daily --json` runs in the image and reports', async () => {
    const r = await runJob(JOB_COMMANDS.checkDaily);
    const report = JSON.parse(r.stdout) as { ok: boolean; items: Array<{ id: string; status: string }> };
    assert.ok(report.items.length > 0, r.stderr.slice(-3000));
    // On an external target no figure of the pod's own machine is reported (issue 22): nothing here can be red.
    const red = report.items.filter((c) => c.status === 'fail').map((c) => c.id);
    assert.deepEqual(red, [], `check daily: ${r.stdout.slice(-3000)}`);
    assert.equal(r.code, 0);
  });

  await t.test(
    'CronJob logical-backup: the dump of `backup logical --upload` in the image (pg_dump of its client, its openssl)',
    async () => {
      // The upload to Blob Storage is issue 22's (its tests run it against Azurite): here the dump half runs.
      const r = await runJob(JOB_COMMANDS.logicalBackup.filter((a) => a !== '--upload'));
      assert.equal(r.code, 0, r.stderr.slice(-3000));
    },
  );
});
