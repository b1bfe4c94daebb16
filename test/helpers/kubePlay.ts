import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { K8sRender } from '../../src/k8s/render.js';
import { tempDataDir } from './tempCluster.js';

/**
 * `podman kube play` (4.3) takes Pod, Deployment, PersistentVolumeClaim and
 * ConfigMap only, and probes with a numeric port: the rendered objects reshaped
 * into those, nothing else changed —
 * - the migration Job's pod template → a Pod (restartPolicy Never);
 * - the StatefulSet → a Deployment of one pod with its volume claim template as
 *   a PersistentVolumeClaim (a podman volume that outlives the pod, as a disk
 *   outlives its node);
 * - named probe ports → the container's port number, and no `ports` (on the
 *   host network podman 4.3 refuses any port mapping, and it makes one of each);
 * - `env` additions for the test (listening on 127.0.0.1 on the host network).
 * Namespaces, service accounts, Services, HPA, PDB, NetworkPolicy and CronJobs
 * have no podman counterpart (the CronJobs' commands are run with `podman run`).
 */
export interface PlayFiles {
  migration: string;
  workload: string;
  /** The Deployment again without its PVC: a replacement pod on the claim that outlived its predecessor. */
  replacement: string;
  /** The PVC's name (the podman volume of the journal). */
  claim: string;
  /** The Deployment's pod name prefix and container name. */
  deployment: string;
  container: string;
}

export function playFiles(
  render: K8sRender,
  opts: { env: Record<string, string>; extraConfig?: Record<string, string> },
): PlayFiles {
  const all = render.layers.flatMap((l) => l.objects.map((o) => o.toJSON() as any));
  const byKind = (kind: string) => all.filter((o) => o.kind === kind);
  const configMap = byKind('ConfigMap')[0];
  configMap.data = { ...configMap.data, ...(opts.extraConfig ?? {}) };
  const addEnv = (c: any) => ({
    ...c,
    env: [...(c.env ?? []), ...Object.entries(opts.env).map(([name, value]) => ({ name, value }))],
  });

  const job = byKind('Job')[0];
  const migrationPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: job.metadata.name, labels: job.spec.template.metadata.labels },
    spec: { ...job.spec.template.spec, containers: job.spec.template.spec.containers.map(addEnv) },
  };

  const sts = byKind('StatefulSet')[0];
  const template = sts.spec.volumeClaimTemplates[0];
  const claim = `${template.metadata.name}-${sts.metadata.name}-0`;
  const pod = sts.spec.template.spec;
  const containers = pod.containers.map(({ ports, ...c }: any) => {
    const numeric = (probe: any) => probe && { ...probe, httpGet: { ...probe.httpGet, port: ports[0].containerPort } };
    return addEnv({
      ...c,
      startupProbe: numeric(c.startupProbe),
      readinessProbe: numeric(c.readinessProbe),
      livenessProbe: numeric(c.livenessProbe),
    });
  });
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: sts.metadata.name, labels: sts.metadata.labels },
    spec: {
      replicas: 1,
      selector: sts.spec.selector,
      template: {
        metadata: sts.spec.template.metadata,
        spec: {
          ...pod,
          containers,
          volumes: [...pod.volumes, { name: template.metadata.name, persistentVolumeClaim: { claimName: claim } }],
        },
      },
    },
  };
  const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claim }, spec: template.spec };

  const dir = tempDataDir('bi-kube-');
  const write = (name: string, docs: unknown[]) => {
    const file = path.join(dir, name);
    writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
    return file;
  };
  return {
    migration: write('migration.yaml', [configMap, migrationPod]),
    workload: write('workload.yaml', [configMap, pvc, deployment]),
    replacement: write('replacement.yaml', [configMap, deployment]),
    claim,
    deployment: sts.metadata.name,
    container: pod.containers[0].name,
  };
}

/** A Kubernetes Secret's data as podman 4.3's kube play reads a secret: JSON of key → base64 value. */
export const podmanSecretJson = (data: Record<string, string>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])));
