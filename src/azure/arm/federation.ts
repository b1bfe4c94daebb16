import type { FederatedIdentityCredential } from '@azure/arm-msi';
import type { Config } from '../../config/schema.js';
import { API_VERSIONS } from './apiVersions.js';
import type { ArmProperties, ArmResource } from './armTypes.js';
import { identityId } from './identity.js';

const TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials';
/** The audience AKS workload identity exchanges its service account tokens for. */
export const WORKLOAD_IDENTITY_AUDIENCE = 'api://AzureADTokenExchange';

/**
 * AKS workload identity (`bill-inquiry k8s render`): the service's managed
 * identity trusts the Kubernetes service account k8s.serviceAccount of
 * k8s.namespace, as signed by the cluster's OIDC issuer — so its pods get Entra
 * tokens (PostgreSQL sign-in, §3.3) with no secret. Rendered once
 * k8s.workloadIdentity.oidcIssuerUrl is known (the cluster must exist first).
 */
export function federationResources(cfg: Readonly<Config>): ArmResource[] {
  const { k8s, azure } = cfg;
  const issuer = k8s.workloadIdentity.oidcIssuerUrl;
  if (!issuer) return [];
  const properties: ArmProperties<FederatedIdentityCredential> = {
    issuer,
    subject: `system:serviceaccount:${k8s.namespace}:${k8s.serviceAccount}`,
    audiences: [WORKLOAD_IDENTITY_AUDIENCE],
  };
  return [
    {
      type: TYPE,
      apiVersion: API_VERSIONS[TYPE],
      name: `${azure.serviceIdentityName}/${k8s.serviceAccount}`,
      dependsOn: [identityId(azure.serviceIdentityName)],
      properties,
    },
  ];
}
