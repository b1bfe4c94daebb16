import { z } from 'zod';

/** A subnet, e.g. 10.0.1.0/24. */
const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'an IPv4 CIDR such as 10.0.1.0/24');
/** A Kubernetes quantity such as 500m, 2, 1Gi. */
const quantity = z.string().regex(/^\d+(\.\d+)?(m|k|M|G|Ki|Mi|Gi|Ti)?$/, 'a Kubernetes quantity such as 500m or 1Gi');
const probe = (path: string, periodSeconds: number, failureThreshold: number) =>
  z
    .object({
      /** The HTTP path (phonebill's actuator paths, §8). */
      path: z.string().startsWith('/').default(path),
      /** Seconds between probes. */
      periodSeconds: z.number().int().positive().default(periodSeconds),
      /** Failed probes in a row before the pod is restarted (liveness, startup) or taken out (readiness). */
      failureThreshold: z.number().int().positive().default(failureThreshold),
      /** Seconds one probe may take. */
      timeoutSeconds: z.number().int().positive().default(2),
    })
    .prefault({});

/**
 * The service on AKS (phonebill-design-facts §7, the physical architecture of
 * phonebill-prod): `bill-inquiry k8s render` writes these figures as a
 * kustomize directory. The replica counts are not here: the StatefulSet starts
 * pool.instances (3) and the HPA scales to pool.maxInstances (15), the same
 * figures the connection budget counts. Ports come from service.port.
 */
export const k8sSection = z.object({
  /** §7 namespace `phonebill-prod`. */
  namespace: z.string().default('phonebill-prod'),
  /** Name of the workload, its pods' `app` label and the prefix of the other objects. */
  name: z.string().default('bill-inquiry'),
  /** The image the cluster pulls (scripts/container/build-image.sh builds it; push it to your registry, e.g. ACR). */
  image: z.string().default('bill-inquiry:0.1.0'),
  /** IfNotPresent: a release is a new tag (the migration Job's name follows the image). */
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
  /**
   * The Service clients and the ingress reach. Default: the design's §7 name and
   * port, `bill-inquiry-service:8080` — the physical architecture the plan's
   * production figures belong to, and what the Application Gateway routes
   * `/api/*` to. phonebill's own deployment (§8) names it `bill-service` on port
   * 80: set name `bill-service` and port 80 where an existing ingress points there.
   */
  service: z
    .object({
      /** §7 `bill-inquiry-service`; phonebill's §8 `bill-service`. */
      name: z.string().default('bill-inquiry-service'),
      /** §7 8080; phonebill's §8 80 (to the container's service.port). */
      port: z.number().int().min(1).max(65535).default(8080),
    })
    .prefault({}),
  /** §7 service accounts `*-service-sa`: the service's pods run as this one. */
  serviceAccount: z.string().default('bill-inquiry-service-sa'),
  /** The admin jobs (migration, maintenance, checklist, logical dump) run as this separate one. */
  adminServiceAccount: z.string().default('bill-inquiry-admin-sa'),
  /**
   * Azure workload identity: the client id of the user-assigned identity each
   * service account is federated with (`azure template`'s output
   * serviceIdentityClientId for the service). Unset: the annotation is left out
   * (and `k8s render` warns), e.g. when the database signs in with passwords.
   */
  workloadIdentity: z
    .object({
      /** The service's identity (annotation on k8s.serviceAccount). */
      clientId: z.string().optional(),
      /** The admin jobs' identity (annotation on k8s.adminServiceAccount), e.g. for Blob uploads of dumps. */
      adminClientId: z.string().optional(),
      /**
       * The AKS cluster's OIDC issuer (`az aks show --query oidcIssuerProfile.issuerUrl`):
       * with it `azure template` adds the federated identity credential that lets
       * `serviceAccount` sign in as azure.serviceIdentityName.
       */
      oidcIssuerUrl: z.string().url().optional(),
    })
    .prefault({}),
  /** §7 requests 500m CPU / 1Gi and limits 2000m / 2Gi per replica. */
  resources: z
    .object({
      /** What the scheduler reserves and the HPA's percentages are of. */
      requests: z.object({ cpu: quantity, memory: quantity }).default({ cpu: '500m', memory: '1Gi' }),
      /** Past the memory limit the pod is killed: keep service.history.maxQueued's heap (~225 MB) well inside. */
      limits: z.object({ cpu: quantity, memory: quantity }).default({ cpu: '2000m', memory: '2Gi' }),
    })
    .prefault({}),
  /** §7 HPA 3–15 (pool.instances–pool.maxInstances) on CPU 70 % and memory 80 % of the requests. */
  hpa: z
    .object({
      /** §7 CPU 70 %. */
      cpuPercent: z.number().int().min(1).max(100).default(70),
      /** §7 memory 80 %. */
      memoryPercent: z.number().int().min(1).max(100).default(80),
    })
    .prefault({}),
  /** §7 PDB minAvailable 2. */
  pdbMinAvailable: z.number().int().min(0).default(2),
  /** §7 zone spread across Korea Central's 3 zones: most pods one zone may have more than another. */
  zoneMaxSkew: z.number().int().positive().default(1),
  /** §7 the application nodes' taint `application-workload=true:NoSchedule`, tolerated by the pods. */
  toleration: z
    .object({
      /** §7 the taint's key. */
      key: z.string().default('application-workload'),
      /** §7 the taint's value. */
      value: z.string().default('true'),
      /** §7 the taint's effect. */
      effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).default('NoSchedule'),
    })
    .prefault({}),
  /** §7 probes (phonebill's, §8): startup, readiness and liveness on the actuator paths. */
  probes: z
    .object({
      /** Up to 60 × 5 s for a start (pools, keys, journal replay). */
      startup: probe('/actuator/health', 5, 60),
      readiness: probe('/actuator/health/readiness', 5, 2),
      liveness: probe('/actuator/health/liveness', 10, 3),
    })
    .prefault({}),
  /**
   * preStop pause before SIGTERM: the pod's endpoint is removed from the Service
   * and the Application Gateway's backend pool while it still serves. Then
   * `serve` drains (service.shutdownDrainMs) and flushes history (up to
   * service.history.shutdownTimeoutMs): terminationGracePeriodSeconds is their sum plus 5 s.
   */
  preStopSeconds: z.number().int().min(0).default(10),
  /**
   * §7 NetworkPolicy: ingress only from the Application Gateway's subnet (AGIC
   * sends from there); the plan names no prefix: ours, set yours.
   */
  ingressFrom: z.array(cidr).min(1).default(['10.0.1.0/24']),
  /**
   * Egress the NetworkPolicy opens besides DNS: PostgreSQL 5432, Redis 6380 (TLS)
   * and 6379 (§7's NSG table), KOS (the port of service.kosUrl), 443 (Entra, ARM,
   * Azure Monitor, Blob). CIDRs narrow the destinations; empty = anywhere.
   */
  egress: z
    .object({
      /** §7 Flexible Server, plan §3.2. */
      postgresPort: z.number().int().default(5432),
      /** §7 Azure Cache for Redis: 6380 (TLS), 6379 in the NSG table. */
      redisPorts: z.array(z.number().int()).default([6380, 6379]),
      /** Entra ID (tokens), ARM / Azure Monitor (checklist figures), Blob Storage (logical dumps). */
      httpsPort: z.number().int().default(443),
      /** Destinations (CIDRs) the egress rule is narrowed to; empty = any address on those ports. */
      to: z.array(cidr).default([]),
    })
    .prefault({}),
  /**
   * The history journal's volume (docs/kubernetes.md "The journal's volume"): a
   * per-pod PersistentVolumeClaim of a StatefulSet, so an acknowledged inquiry
   * still in the journal survives the loss of its node and is written when the
   * pod is back. Its size: the journal's budget (service.history.journal.maxBytes)
   * plus 1 GiB for dead letters and dumps, rounded up to GiB.
   */
  journalVolume: z
    .object({
      /** AKS's managed-csi-premium is zonal (LRS): a ZRS class lets a pod move zones with its disk. */
      storageClassName: z.string().default('managed-csi-premium'),
    })
    .prefault({}),
  /**
   * CronJob schedules (cron syntax, in backup.schedule.timezone, KST). The weekly
   * logical dump's (`backup logical --upload`, §9.1) comes from
   * backup.schedule.logicalWeekday / logicalAt.
   */
  schedules: z
    .object({
      /** §6.2 daily partition maintenance (`db maintain`): before the day's traffic, after the 02:00 backup. */
      maintain: z.string().default('30 2 * * *'),
      /** §14.1 daily checklist (`check daily --json`), at the start of the working day. */
      checkDaily: z.string().default('0 9 * * *'),
    })
    .prefault({}),
});
export type K8sConfig = z.infer<typeof k8sSection>;
