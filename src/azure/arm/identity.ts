import type { Identity } from '@azure/arm-msi';
import type { Config } from '../../config/schema.js';
import { API_VERSIONS } from './apiVersions.js';
import { resourceId, type ArmProperties, type ArmResource } from './armTypes.js';

const TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';

export const identityId = (name: string): string => resourceId(TYPE, name);

/**
 * §3.3 the application's user-assigned managed identity. The service (AKS
 * workload identity, or the VM's identity) signs in to PostgreSQL with its
 * Entra tokens; `azure sql` maps it to bill_app_user's privileges.
 */
export function identityResources(cfg: Readonly<Config>): ArmResource[] {
  const properties: ArmProperties<Identity> = {};
  return [
    {
      type: TYPE,
      apiVersion: API_VERSIONS[TYPE],
      name: cfg.azure.serviceIdentityName,
      location: cfg.azure.location,
      properties,
    },
  ];
}
