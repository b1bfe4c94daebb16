import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { writeK8s } from '../../src/k8s/files.js';
import { renderK8s } from '../../src/k8s/render.js';

const EXTERNAL: ConfigInput = {
  service: {
    database: { primary: { host: 'phonebill-postgresql.postgres.database.azure.com', port: 5432 }, auth: 'entra' },
    kosUrl: 'http://kos-mock-service:8080',
    shutdownDrainMs: 10_000,
  },
  k8s: { workloadIdentity: { clientId: '00000000-0000-0000-0000-000000000001' } },
};

const render = (overrides: ConfigInput = EXTERNAL) => renderK8s(loadConfig({ env: {}, overrides }));
const objects = (r = render()) => r.layers.flatMap((l) => l.objects.map((o) => o.toJSON() as any));
const find = (kind: string, r = render()) => objects(r).filter((o) => o.kind === kind);

test('k8s render: every object is a typed model that passes its schema; a wrong field is refused', () => {
  const r = render();
  assert.deepEqual(
    r.layers.map((l) => [l.dir, l.objects.length]),
    [
      ['base', 5],
      ['migration', 1],
      ['workload', 8],
    ],
  );
  for (const o of r.layers.flatMap((l) => l.objects)) assert.doesNotThrow(() => o.validate());
  const sts = new StatefulSet(find('StatefulSet', r)[0]);
  (sts.spec as any).replicas = 'three';
  assert.throws(() => sts.validate(), /replicas/);
});

test('k8s render: §7 figures — namespace, 3 replicas, HPA 3–15 on CPU 70 % / memory 80 %, PDB 2, requests and limits, zone spread, the taint', () => {
  const r = render();
  for (const o of objects(r)) if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'phonebill-prod');
  const sts = find('StatefulSet', r)[0];
  assert.equal(sts.spec.replicas, 3);
  const pod = sts.spec.template.spec;
  const c = pod.containers[0];
  assert.deepEqual(c.resources, { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2000m', memory: '2Gi' } });
  assert.deepEqual(pod.tolerations, [
    { key: 'application-workload', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
  ]);
  assert.equal(pod.topologySpreadConstraints[0].topologyKey, 'topology.kubernetes.io/zone');
  assert.equal(pod.topologySpreadConstraints[0].maxSkew, 1);
  const hpa = find('HorizontalPodAutoscaler', r)[0];
  assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [3, 15]);
  assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'bill-inquiry' });
  assert.deepEqual(
    hpa.spec.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization]),
    [
      ['cpu', 70],
      ['memory', 80],
    ],
  );
  assert.equal(find('PodDisruptionBudget', r)[0].spec.minAvailable, 2);
  // The replica counts are the connection budget's: pool.instances and pool.maxInstances.
  const moved = render({ ...EXTERNAL, pool: { instances: 4, maxInstances: 9 } });
  assert.equal(find('StatefulSet', moved)[0].spec.replicas, 4);
  assert.equal(find('HorizontalPodAutoscaler', moved)[0].spec.maxReplicas, 9);
});

test('k8s render: probes on the actuator paths; preStop and the grace period cover the drain and the history flush; non-root, read-only root', () => {
  const pod = find('StatefulSet')[0].spec.template.spec;
  const c = pod.containers[0];
  assert.equal(c.startupProbe.httpGet.path, '/actuator/health');
  assert.equal(c.readinessProbe.httpGet.path, '/actuator/health/readiness');
  assert.equal(c.livenessProbe.httpGet.path, '/actuator/health/liveness');
  assert.deepEqual(c.lifecycle.preStop.exec.command, ['sleep', '10']);
  // preStop 10 s + drain 10 s + flush timeout 30 s + 5 s
  assert.equal(pod.terminationGracePeriodSeconds, 55);
  assert.deepEqual(c.args, ['serve']);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.runAsNonRoot, true);
  assert.equal(c.securityContext.runAsUser, 10001);
  assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] });
  assert.deepEqual(c.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
});

test('k8s render: workload identity on the service account and the pods; a separate admin account runs the jobs', () => {
  const r = render();
  const [svc, admin] = find('ServiceAccount', r);
  assert.equal(svc.metadata.name, 'bill-inquiry-service-sa');
  assert.equal(svc.metadata.annotations['azure.workload.identity/client-id'], '00000000-0000-0000-0000-000000000001');
  assert.equal(admin.metadata.name, 'bill-inquiry-admin-sa');
  assert.equal(admin.metadata.annotations, undefined, 'no admin identity configured: no annotation');
  const sts = find('StatefulSet', r)[0];
  assert.equal(sts.spec.template.metadata.labels['azure.workload.identity/use'], 'true');
  assert.equal(sts.spec.template.spec.serviceAccountName, 'bill-inquiry-service-sa');
  for (const job of [...find('Job', r), ...find('CronJob', r).map((c: any) => c.spec.jobTemplate)])
    assert.equal(job.spec.template.spec.serviceAccountName, 'bill-inquiry-admin-sa');
  // The service's pods never see the admin secrets.
  assert.deepEqual(sts.spec.template.spec.containers[0].envFrom, [{ secretRef: { name: 'bill-inquiry-secrets' } }]);
  assert.equal(
    r.warnings.some((w) => /workloadIdentity/.test(w)),
    false,
  );
  assert.ok(render({ service: { database: EXTERNAL.service!.database } }).warnings.some((w) => /clientId/.test(w)));
});

test('k8s render: Service default bill-inquiry-service:8080 (the design), phonebill’s bill-service:80 by configuration', () => {
  const [svc] = find('Service').filter((s: any) => s.spec.type === 'ClusterIP');
  assert.deepEqual(
    [svc.metadata.name, svc.spec.ports[0].port, svc.spec.ports[0].targetPort],
    ['bill-inquiry-service', 8080, 'http'],
  );
  const pb = find('Service', render({ ...EXTERNAL, k8s: { service: { name: 'bill-service', port: 80 } } }));
  assert.ok(pb.some((s: any) => s.metadata.name === 'bill-service' && s.spec.ports[0].port === 80));
});

test('k8s render: NetworkPolicy — ingress only from the Application Gateway subnet; egress DNS, 5432, 6380, 6379, KOS, 443', () => {
  const np = find('NetworkPolicy', render({ ...EXTERNAL, k8s: { ingressFrom: ['10.0.9.0/24'] } }))[0];
  assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual(np.spec.ingress, [
    { from: [{ ipBlock: { cidr: '10.0.9.0/24' } }], ports: [{ protocol: 'TCP', port: 8080 }] },
  ]);
  assert.deepEqual(
    np.spec.egress[0].ports.map((p: any) => `${p.protocol}/${p.port}`),
    ['UDP/53', 'TCP/53'],
  );
  assert.deepEqual(
    np.spec.egress[1].ports.map((p: any) => p.port),
    [5432, 6380, 6379, 8080, 443],
  );
});

test('k8s render: the journal on a per-pod volume sized from its budget; the migration Job named per release; the CronJobs’ commands', () => {
  const r = render();
  const claim = find('StatefulSet', r)[0].spec.volumeClaimTemplates[0];
  assert.equal(claim.spec.resources.requests.storage, '3Gi', '2 GiB journal budget + 1 GiB');
  const [job] = find('Job', r);
  assert.deepEqual(job.spec.template.spec.containers[0].args, ['db', 'apply']);
  assert.equal(job.metadata.name, r.migrationJob);
  assert.notEqual(
    render({ ...EXTERNAL, k8s: { image: 'acr.example/bill-inquiry:0.2.0' } }).migrationJob,
    r.migrationJob,
  );
  assert.deepEqual(
    find('CronJob', r).map((c: any) => [
      c.spec.schedule,
      c.spec.timeZone,
      c.spec.jobTemplate.spec.template.spec.containers[0].args,
    ]),
    [
      ['30 2 * * *', 'Asia/Seoul', ['db', 'maintain']],
      ['0 9 * * *', 'Asia/Seoul', ['check', 'daily', '--json']],
      ['0 3 * * 0', 'Asia/Seoul', ['backup', 'logical', '--upload']],
    ],
  );
});

test('k8s render: the connection budget at the HPA maximum is a warning with what to change', () => {
  const r = render();
  assert.equal(r.budget.status, 'warn');
  assert.equal(r.budget.atMax, 15 * 16 + 10);
  assert.ok(r.warnings.some((w) => /HPA maximum \(15 pods\).*250 > 197.*pool\.size to 11/.test(w)));
  assert.equal(render({ ...EXTERNAL, pool: { maxInstances: 11 } }).budget.status, 'pass');
});

test('k8s render: a kustomize directory — each layer lists exactly its files; the top level is base + workload', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bi-k8s-'));
  try {
    const written = writeK8s(render(), dir);
    assert.equal(written.objects, 14);
    for (const layer of ['base', 'migration', 'workload']) {
      const k = parse(readFileSync(path.join(dir, layer, 'kustomization.yaml'), 'utf8'));
      const files = readdirSync(path.join(dir, layer)).filter((f) => f !== 'kustomization.yaml');
      assert.deepEqual([...k.resources].sort(), files.sort());
    }
    assert.deepEqual(parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')).resources, ['base', 'workload']);
    const cm = parse(readFileSync(path.join(dir, 'base', 'configmap-bill-inquiry-config.yaml'), 'utf8'));
    const file = JSON.parse(cm.data['bill-inquiry.config.json']);
    assert.equal(file.dataDir, undefined, "the rendering machine's data dir is not the pod's");
    assert.equal(file.service.host, undefined, 'the image listens on all interfaces');
    assert.equal(file.service.kosUrl, 'http://kos-mock-service:8080');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
