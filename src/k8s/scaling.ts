import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { Config } from '../config/schema.js';
import { labels, selector } from './names.js';

/** §7 HPA pool.instances–pool.maxInstances (3–15) on CPU 70 % / memory 80 % of the requests. */
export function hpa(cfg: Readonly<Config>): HorizontalPodAutoscaler {
  const k = cfg.k8s;
  const utilization = (name: 'cpu' | 'memory', averageUtilization: number) => ({
    type: 'Resource',
    resource: { name, target: { type: 'Utilization', averageUtilization } },
  });
  return new HorizontalPodAutoscaler({
    metadata: { name: k.name, namespace: k.namespace, labels: labels(k) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: k.name },
      minReplicas: cfg.pool.instances,
      maxReplicas: cfg.pool.maxInstances,
      metrics: [utilization('cpu', k.hpa.cpuPercent), utilization('memory', k.hpa.memoryPercent)],
    },
  });
}

/** §7 PDB minAvailable 2: a node drain never takes the service below two ready pods. */
export function pdb(cfg: Readonly<Config>): PodDisruptionBudget {
  const k = cfg.k8s;
  return new PodDisruptionBudget({
    metadata: { name: k.name, namespace: k.namespace, labels: labels(k) },
    spec: { minAvailable: k.pdbMinAvailable, selector: { matchLabels: selector(k) } },
  });
}
