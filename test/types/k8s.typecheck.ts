/**
 * Type-level assertions on the rendered Kubernetes objects, compiled by
 * `npm run typecheck` (never run): each `@ts-expect-error` line must fail to
 * compile, or typecheck fails with "Unused '@ts-expect-error' directive". The
 * kubernetes-models types are the Kubernetes OpenAPI schema: a misspelled
 * field, a wrong enum value or a field at the wrong level does not get into a
 * manifest.
 */
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IContainer, IToleration } from 'kubernetes-models/v1';

export const good: IContainer = {
  name: 'bill-inquiry',
  readinessProbe: { httpGet: { path: '/actuator/health/readiness', port: 'http' }, periodSeconds: 5 },
};

// @ts-expect-error readinessprobe is not a Container field (it is readinessProbe)
export const misspelled: IContainer = { name: 'x', readinessprobe: { httpGet: { port: 8080 } } };

// @ts-expect-error 'Equals' is not a toleration operator (Equal | Exists | Gt | Lt)
export const badOperator: IToleration = { key: 'application-workload', operator: 'Equals', value: 'true' };

// @ts-expect-error the taint effect is NoSchedule, not NoScheduling
export const badEffect: IToleration = { key: 'application-workload', effect: 'NoScheduling' };

export const misplacedReplicas = new StatefulSet({
  metadata: { name: 'x' },
  // @ts-expect-error replicas belongs to spec, template belongs to spec too: a StatefulSet's spec needs selector and template
  spec: { replicas: 3 },
});

export const hpaTarget = new HorizontalPodAutoscaler({
  metadata: { name: 'x' },
  spec: {
    scaleTargetRef: { kind: 'StatefulSet', name: 'x' },
    maxReplicas: 15,
    // @ts-expect-error targetCPUUtilizationPercentage is autoscaling/v1's; v2 takes metrics
    targetCPUUtilizationPercentage: 70,
  },
});

export const pdbField = new PodDisruptionBudget({
  // @ts-expect-error minAvailable is a spec field, not metadata
  metadata: { name: 'x', minAvailable: 2 },
});

export const policyType = new NetworkPolicy({
  metadata: { name: 'x' },
  // @ts-expect-error policyTypes are Ingress | Egress
  spec: { podSelector: {}, policyTypes: ['Inbound'] },
});
