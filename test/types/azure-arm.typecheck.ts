/**
 * Type-level assertions, compiled by `npm run typecheck` (never run): each
 * `@ts-expect-error` line must fail to compile, or typecheck fails with
 * "Unused '@ts-expect-error' directive". They show that the SDK models type
 * what the template sends: a misspelled property, an unknown enum value, a
 * server-populated member or the TypeScript spelling of a renamed JSON member
 * do not get into a template.
 */
import type { Server } from '@azure/arm-postgresql-flexible';
import type { ServerProperties } from '../../src/azure/arm/server.js';
import type { SubnetProperties } from '../../src/azure/arm/network.js';
import type { RoleAssignmentProperties } from '../../src/azure/arm/roleAssignments.js';
import { renamed, type ArmProperties } from '../../src/azure/arm/armTypes.js';

export const good: ServerProperties = {
  version: '17',
  storage: { storageSizeGB: 256, autoGrow: 'Enabled' },
  highAvailability: { mode: 'ZoneRedundant', standbyAvailabilityZone: '2' },
};

// @ts-expect-error storageSizeGb is not a member of Storage (it is storageSizeGB)
export const misspelled: ServerProperties = { storage: { storageSizeGb: 256 } };

// @ts-expect-error 'ZoneRedundent' is not a KnownHighAvailabilityMode
export const badEnum: ServerProperties = { highAvailability: { mode: 'ZoneRedundent' } };

// @ts-expect-error '9.6' is not a KnownPostgresMajorVersion
export const badVersion: ServerProperties = { version: '9.6' };

// @ts-expect-error 'Disabled' is no HA mode in API 2025-08-01: a server without HA has no highAvailability block
export const noHaMode: ServerProperties = { highAvailability: { mode: 'Disabled' } };

// @ts-expect-error fullyQualifiedDomainName is filled in by the server (readonly in the model)
export const serverPopulated: ArmProperties<Server> = { fullyQualifiedDomainName: 'x.postgres.database.azure.com' };

// @ts-expect-error location belongs to the resource envelope, not to properties
export const envelope: ServerProperties = { location: 'koreacentral' };

const service = 'Microsoft.DBforPostgreSQL/flexibleServers';
// @ts-expect-error a delegation's serviceName goes under properties (the SDK flattens sub-resources)
export const flattened: SubnetProperties = { delegations: [{ name: 'x', serviceName: service }] };

// @ts-expect-error a rename map names only members of the model
export const badRename = renamed({ enableHttpsTrafficOnly: true }, { supportsHttpsTrafficOnly: 'x' });

export const badRenameMixed = renamed(
  { enableHttpsTrafficOnly: true },
  // @ts-expect-error …also beside a good one
  { enableHttpsTrafficOnly: 'supportsHttpsTrafficOnly', networkAcls: 'x' },
);

export const badPrincipal: RoleAssignmentProperties = {
  roleDefinitionId: 'r',
  principalId: 'p',
  // @ts-expect-error 'ManagedIdentity' is not a KnownPrincipalType (a managed identity is a ServicePrincipal)
  principalType: 'ManagedIdentity',
};

// @ts-expect-error a role assignment's scope is server-populated (readonly): in a template it is the resource's `scope`
export const scopeInProperties: RoleAssignmentProperties = { roleDefinitionId: 'r', principalId: 'p', scope: 's' };
