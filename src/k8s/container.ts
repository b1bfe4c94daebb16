import type { IContainer, IPodSecurityContext, IToleration, IVolume } from 'kubernetes-models/v1';
import type { Config } from '../config/schema.js';
import { CONFIG_DIR, CONFIG_FILE, DATA_DIR, IMAGE_UID, objectNames } from './names.js';

/**
 * What every container of the service and of the admin jobs shares: the image,
 * the config file from the ConfigMap, the secrets as BILL_INQUIRY_SECRET_*
 * variables (SecretStore's environment route: nothing secret is rendered), a
 * read-only root filesystem with /tmp and the data dir as the only writable
 * places, and the image's non-root user with every capability dropped.
 */
export function baseContainer(cfg: Readonly<Config>, name: string, args: string[], secrets: string[]): IContainer {
  const k = cfg.k8s;
  return {
    name,
    image: k.image,
    imagePullPolicy: k.imagePullPolicy,
    args,
    env: [{ name: 'BILL_INQUIRY_CONFIG', value: `${CONFIG_DIR}/${CONFIG_FILE}` }],
    envFrom: secrets.map((s) => ({ secretRef: { name: s } })),
    volumeMounts: [
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'data', mountPath: DATA_DIR },
    ],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: IMAGE_UID,
      runAsGroup: IMAGE_UID,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

/** fsGroup: the data volume (a fresh disk is root's) becomes writable by the image's user. */
export const podSecurityContext = (): IPodSecurityContext => ({
  runAsNonRoot: true,
  runAsUser: IMAGE_UID,
  runAsGroup: IMAGE_UID,
  fsGroup: IMAGE_UID,
  fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
});

/** The ConfigMap and /tmp; `withData` adds an emptyDir data dir (the jobs: nothing of theirs outlives them). */
export function baseVolumes(cfg: Readonly<Config>, withData: boolean): IVolume[] {
  return [
    { name: 'config', configMap: { name: objectNames(cfg.k8s).config } },
    { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
    ...(withData ? [{ name: 'data', emptyDir: {} }] : []),
  ];
}

/** The app's taint toleration (§7 `application-workload=true:NoSchedule`). */
export const tolerations = (cfg: Readonly<Config>): IToleration[] => [
  {
    key: cfg.k8s.toleration.key,
    operator: 'Equal',
    value: cfg.k8s.toleration.value,
    effect: cfg.k8s.toleration.effect,
  },
];
