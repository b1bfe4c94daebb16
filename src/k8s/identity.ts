import { Namespace, ServiceAccount } from 'kubernetes-models/v1';
import type { Config } from '../config/schema.js';
import { labels, WI_CLIENT_ID } from './names.js';

/** §7 namespace phonebill-prod. */
export function namespace(cfg: Readonly<Config>): Namespace {
  return new Namespace({ metadata: { name: cfg.k8s.namespace, labels: { 'app.kubernetes.io/part-of': 'phonebill' } } });
}

/**
 * Two service accounts: the service's (§7 `*-service-sa`), federated with the
 * service's managed identity (Entra tokens for PostgreSQL, §3.3), and the admin
 * jobs' — migrations, maintenance, checklists and dumps need more than the
 * service may have, so they never run under its identity.
 */
export function serviceAccounts(cfg: Readonly<Config>): ServiceAccount[] {
  const k = cfg.k8s;
  const account = (name: string, component: string, clientId: string | undefined) =>
    new ServiceAccount({
      metadata: {
        name,
        namespace: k.namespace,
        labels: labels(k, component),
        ...(clientId ? { annotations: { [WI_CLIENT_ID]: clientId } } : {}),
      },
      // The workload identity webhook projects its own token; the API server's is not needed.
      automountServiceAccountToken: false,
    });
  return [
    account(k.serviceAccount, 'service', k.workloadIdentity.clientId),
    account(k.adminServiceAccount, 'admin', k.workloadIdentity.adminClientId),
  ];
}
