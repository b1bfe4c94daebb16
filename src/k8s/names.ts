import type { K8sConfig } from '../config/sections/k8s.js';

/** Where the image keeps its writable data dir (Containerfile: BILL_INQUIRY__DATA_DIR, a volume). */
export const DATA_DIR = '/var/lib/bill-inquiry';
/** Where the ConfigMap's config file is mounted; BILL_INQUIRY_CONFIG points at it. */
export const CONFIG_DIR = '/etc/bill-inquiry';
export const CONFIG_FILE = 'bill-inquiry.config.json';
/** The image's numeric non-root user (Containerfile ARG UID). */
export const IMAGE_UID = 10001;
/** Azure workload identity: the pod label the webhook acts on, and the service account annotation. */
export const WI_POD_LABEL = 'azure.workload.identity/use';
export const WI_CLIENT_ID = 'azure.workload.identity/client-id';
/** Name of the journal's volume claim template (and of each pod's claim, `data-<pod>`). */
export const DATA_VOLUME = 'data';

/** The names of the rendered objects, all derived from k8s.name. */
export function objectNames(k: Readonly<K8sConfig>) {
  return {
    app: k.name,
    /** Headless Service that gives the StatefulSet's pods their stable names. */
    pods: `${k.name}-pods`,
    config: `${k.name}-config`,
    /** BILL_INQUIRY_SECRET_* for the service: role passwords, column keys, JWT keys (created by the operator, never rendered). */
    secrets: `${k.name}-secrets`,
    /** The admin jobs' extra secrets: BILL_INQUIRY_ADMIN_URL, the backup role's password, the dump passphrase. */
    adminSecrets: `${k.name}-admin-secrets`,
  };
}

/** Labels every object carries; `selector` picks the service's pods. */
export function labels(k: Readonly<K8sConfig>, component = 'service'): Record<string, string> {
  return {
    app: k.name,
    'app.kubernetes.io/name': k.name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'phonebill',
    'app.kubernetes.io/managed-by': 'bill-inquiry-k8s-render',
  };
}

export const selector = (k: Readonly<K8sConfig>): Record<string, string> => ({
  app: k.name,
  'app.kubernetes.io/component': 'service',
});
