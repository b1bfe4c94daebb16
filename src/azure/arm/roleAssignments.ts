import type { KnownPrincipalType, RoleAssignmentCreateParameters } from '@azure/arm-authorization';
import type { Config } from '../../config/schema.js';
import { API_VERSIONS } from './apiVersions.js';
import { inner, resourceId, type ArmProperties, type ArmResource, type Known, type Narrow } from './armTypes.js';
import { identityId } from './identity.js';
import { serverId } from './server.js';

const TYPE = 'Microsoft.Authorization/roleAssignments';

/** Azure's built-in role definition ids (the same in every tenant). */
export const BUILT_IN_ROLES = {
  /** Read, write, delete blobs of the scope: what `backup logical --upload` needs (and the read-back, and the monitor's listing). */
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  /**
   * `*\/read` on the scope: the server's metrics (Microsoft.Insights/metrics/read) and its backup
   * list (Microsoft.DBforPostgreSQL/flexibleServers/backups/read) — the two reads of the checklists
   * and alerts. Monitoring Reader would not cover the backup list; Reader on this one server does
   * both and nothing else.
   */
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
} as const;

export type RoleAssignmentProperties = Narrow<
  ArmProperties<RoleAssignmentCreateParameters>,
  { principalType: Known<KnownPrincipalType> }
>;

/**
 * The service identity's rights, each on the narrowest scope that serves:
 * Storage Blob Data Contributor on the §9.1 dump container (not the account),
 * Reader on the primary server for §8.1/§14.1's figures. The assignment's
 * name is a GUID derived from scope, identity and role, so redeploying finds
 * the same assignment instead of adding one.
 */
export function roleAssignmentResources(cfg: Readonly<Config>): ArmResource[] {
  const a = cfg.azure;
  const identity = identityId(a.serviceIdentityName);
  const principalId = `[reference(${inner(identity)}, '${API_VERSIONS['Microsoft.ManagedIdentity/userAssignedIdentities']}').principalId]`;
  const assign = (
    role: keyof typeof BUILT_IN_ROLES,
    scope: string,
    scopeId: string,
    description: string,
  ): ArmResource => {
    const properties: RoleAssignmentProperties = {
      roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${BUILT_IN_ROLES[role]}')]`,
      principalId,
      // A managed identity is a service principal; saying so spares ARM the directory lookup that fails right after the identity is created.
      principalType: 'ServicePrincipal',
      description,
    };
    return {
      type: TYPE,
      apiVersion: API_VERSIONS[TYPE],
      name: `[guid(${inner(scopeId)}, ${inner(identity)}, '${BUILT_IN_ROLES[role]}')]`,
      scope,
      properties,
      dependsOn: [scopeId, identity],
    };
  };
  const lb = a.logicalBackup;
  return [
    assign(
      'Storage Blob Data Contributor',
      `Microsoft.Storage/storageAccounts/${lb.storageAccount}/blobServices/default/containers/${lb.container}`,
      resourceId(
        'Microsoft.Storage/storageAccounts/blobServices/containers',
        lb.storageAccount,
        'default',
        lb.container,
      ),
      '§9.1 backup logical --upload writes and reads back the weekly dumps',
    ),
    assign(
      'Reader',
      `Microsoft.DBforPostgreSQL/flexibleServers/${a.serverName}`,
      serverId(a.serverName),
      '§8.1, §14.1 the checklists and alerts read the server metrics and backup list',
    ),
  ];
}
