import type { Config } from '../config/schema.js';
import { migrationJobName } from './jobs.js';
import { objectNames } from './names.js';

/**
 * The commands that install or upgrade the rendered directory on AKS, in
 * order (README "Container image and Kubernetes", docs/kubernetes.md). The
 * secrets are created by the operator — from the secret store of the data dir
 * that ran `db apply` (each file as BILL_INQUIRY_SECRET_<NAME>), or synced from
 * Key Vault by the Secrets Store CSI driver — never rendered.
 */
export function applySteps(cfg: Readonly<Config>, dir: string): string[] {
  const k = cfg.k8s;
  const n = objectNames(k);
  const ns = `-n ${k.namespace}`;
  const fromStore = `$(for f in ${cfg.dataDir}/secrets/*; do b=$(basename "$f" | tr 'a-z.-' 'A-Z__'); printf -- '--from-file=BILL_INQUIRY_SECRET_%s=%s ' "$b" "$f"; done)`;
  return [
    `kubectl apply -k ${dir}/base`,
    `kubectl ${ns} create secret generic ${n.secrets} ${fromStore}`,
    `kubectl ${ns} create secret generic ${n.adminSecrets} --from-literal=BILL_INQUIRY_ADMIN_URL='postgres://ADMIN:PASSWORD@HOST:5432/postgres?sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt'`,
    `kubectl apply -k ${dir}/migration`,
    `kubectl ${ns} wait --for=condition=complete job/${migrationJobName(cfg)} --timeout=30m`,
    `kubectl apply -k ${dir}`,
    `kubectl ${ns} rollout status statefulset/${n.app} --timeout=15m`,
  ];
}
