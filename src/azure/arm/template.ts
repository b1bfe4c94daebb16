import type { Config } from '../../config/schema.js';
import { replicaServerName } from '../../config/sections/azure.js';
import { versionWarning } from '../postgresVersions.js';
import { API_VERSIONS } from './apiVersions.js';
import type { ArmParameter, ArmTemplate } from './armTypes.js';
import { federationResources } from './federation.js';
import { identityId, identityResources } from './identity.js';
import { monitoringResources } from './monitoring.js';
import { networkResources } from './network.js';
import { PARAM_ADMIN_LOGIN, PARAM_ADMIN_PASSWORD, PARAM_ENTRA_ADMIN_OID, serverId, serverResources } from './server.js';
import { roleAssignmentResources } from './roleAssignments.js';
import { storageResources } from './storage.js';

export const TEMPLATE_FILE = 'azuredeploy.json';
export const PARAMETERS_FILE = 'azuredeploy.parameters.json';

/** Where the §8.1 response-time threshold is alerted, since no Flexible Server metric measures it. */
export const RESPONSE_TIME_NOTE =
  '§8.1 response time ≥ 500 ms has no Flexible Server metric: it is the service p99 of its own /metrics histogram, ' +
  'alerted by the Prometheus rule BillInquiryResponseSlow (`bill-inquiry monitor rules`, monitor.alerts.responseTimeMs).';

const parameters = (cfg: Readonly<Config>): Record<string, ArmParameter> => ({
  [PARAM_ADMIN_LOGIN]: {
    type: 'string',
    defaultValue: cfg.azure.adminUser,
    metadata: { description: 'password-based server admin (§12.3); cannot change after creation' },
  },
  [PARAM_ADMIN_PASSWORD]: {
    type: 'securestring',
    metadata: { description: 'its password: `azure deploy` passes it from the secret store, never in a file it keeps' },
  },
  [PARAM_ENTRA_ADMIN_OID]: {
    type: 'string',
    metadata: { description: `object id of the Entra admin ${cfg.azure.aadAdminName} (§3.3), azure.aadAdminObjectId` },
  },
});

/**
 * The plan's production on Azure as one ARM template, from the same typed
 * config the local target uses. `today` decides the PostgreSQL support note.
 */
export function renderTemplate(cfg: Readonly<Config>, today = new Date()): ArmTemplate {
  const a = cfg.azure;
  const warning = versionWarning(a.version, today);
  const ref = (id: string, type: keyof typeof API_VERSIONS, member: string) =>
    `[reference(${id.slice(1, -1)}, '${API_VERSIONS[type]}').${member}]`;
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: {
      generator: 'bill-inquiry azure template',
      plan: 'db-plan-bill-inquiry-prod.md §2, §3, §5.1, §7.1, §8, §9.1, §10.3, §12',
      notes: [...(warning ? [warning] : []), RESPONSE_TIME_NOTE],
    },
    parameters: parameters(cfg),
    resources: [
      ...networkResources(cfg),
      ...identityResources(cfg),
      ...federationResources(cfg),
      ...serverResources(cfg),
      ...monitoringResources(cfg),
      ...storageResources(cfg),
      ...roleAssignmentResources(cfg),
    ],
    outputs: {
      serverFqdn: {
        type: 'string',
        value: ref(serverId(a.serverName), 'Microsoft.DBforPostgreSQL/flexibleServers', 'fullyQualifiedDomainName'),
      },
      replicaFqdn: {
        type: 'string',
        value: ref(
          serverId(replicaServerName(a)),
          'Microsoft.DBforPostgreSQL/flexibleServers',
          'fullyQualifiedDomainName',
        ),
      },
      serviceIdentityClientId: {
        type: 'string',
        value: ref(identityId(a.serviceIdentityName), 'Microsoft.ManagedIdentity/userAssignedIdentities', 'clientId'),
      },
      serviceIdentityPrincipalId: {
        type: 'string',
        value: ref(
          identityId(a.serviceIdentityName),
          'Microsoft.ManagedIdentity/userAssignedIdentities',
          'principalId',
        ),
      },
    },
  };
}

/** The parameters file: everything but the admin password, which `azure deploy` passes separately. */
export function renderParameters(cfg: Readonly<Config>): {
  $schema: string;
  contentVersion: string;
  parameters: Record<string, { value: string }>;
} {
  const oid = cfg.azure.aadAdminObjectId;
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
    contentVersion: '1.0.0.0',
    parameters: {
      [PARAM_ADMIN_LOGIN]: { value: cfg.azure.adminUser },
      ...(oid ? { [PARAM_ENTRA_ADMIN_OID]: { value: oid } } : {}),
    },
  };
}
