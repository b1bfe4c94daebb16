import { StatefulSet } from 'kubernetes-models/apps/v1';
import type { IProbe } from 'kubernetes-models/v1';
import type { Config } from '../config/schema.js';
import { baseContainer, baseVolumes, podSecurityContext, tolerations } from './container.js';
import { DATA_VOLUME, labels, objectNames, selector, WI_POD_LABEL } from './names.js';

const GIB = 1024 ** 3;

/**
 * terminationGracePeriodSeconds: the preStop pause (endpoint removal reaches
 * kube-proxy and the Application Gateway), then `serve`'s drain
 * (service.shutdownDrainMs: readiness answers 503), then the history flush
 * (at most service.history.shutdownTimeoutMs), plus 5 s for the process to exit.
 */
export const gracePeriodSeconds = (cfg: Readonly<Config>): number =>
  cfg.k8s.preStopSeconds + Math.ceil((cfg.service.shutdownDrainMs + cfg.service.history.shutdownTimeoutMs) / 1000) + 5;

/** The journal's disk: its budget (service.history.journal.maxBytes) plus 1 GiB for dead letters and dumps. */
export const journalVolumeGi = (cfg: Readonly<Config>): number =>
  Math.ceil(cfg.service.history.journal.maxBytes / GIB) + 1;

const httpProbe = (p: { path: string; periodSeconds: number; failureThreshold: number; timeoutSeconds: number }) =>
  ({
    httpGet: { path: p.path, port: 'http' },
    periodSeconds: p.periodSeconds,
    failureThreshold: p.failureThreshold,
    timeoutSeconds: p.timeoutSeconds,
  }) satisfies IProbe;

/**
 * The service as a StatefulSet (§7: pool.instances replicas, the HPA scales it
 * to pool.maxInstances): each pod has its own PersistentVolumeClaim for the
 * data dir, so the history journal — acknowledged inquiries not yet in the
 * database — survives the loss of the pod's node and is written when the pod
 * (same name, same claim) is back (docs/kubernetes.md "The journal's volume").
 * Parallel pod management: the HPA's new pods start together, not one by one.
 */
export function statefulSet(cfg: Readonly<Config>): StatefulSet {
  const k = cfg.k8s;
  const n = objectNames(k);
  const container = baseContainer(cfg, n.app, ['serve'], [n.secrets]);
  return new StatefulSet({
    metadata: { name: n.app, namespace: k.namespace, labels: labels(k) },
    spec: {
      serviceName: n.pods,
      replicas: cfg.pool.instances,
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: selector(k) },
      template: {
        metadata: { labels: { ...labels(k), [WI_POD_LABEL]: 'true' } },
        spec: {
          serviceAccountName: k.serviceAccount,
          terminationGracePeriodSeconds: gracePeriodSeconds(cfg),
          securityContext: podSecurityContext(),
          tolerations: tolerations(cfg),
          topologySpreadConstraints: [
            {
              maxSkew: k.zoneMaxSkew,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: 'DoNotSchedule',
              labelSelector: { matchLabels: selector(k) },
            },
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: selector(k) },
            },
          ],
          containers: [
            {
              ...container,
              ports: [{ name: 'http', containerPort: cfg.service.port, protocol: 'TCP' }],
              resources: { requests: { ...k.resources.requests }, limits: { ...k.resources.limits } },
              startupProbe: httpProbe(k.probes.startup),
              readinessProbe: httpProbe(k.probes.readiness),
              livenessProbe: httpProbe(k.probes.liveness),
              lifecycle: { preStop: { exec: { command: ['sleep', String(k.preStopSeconds)] } } },
            },
          ],
          volumes: baseVolumes(cfg, false),
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: DATA_VOLUME, labels: labels(k) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: k.journalVolume.storageClassName,
            resources: { requests: { storage: `${journalVolumeGi(cfg)}Gi` } },
          },
        },
      ],
    },
  });
}
