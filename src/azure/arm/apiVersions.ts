/**
 * The apiVersion of every resource type the template deploys, pinned to the
 * version the typing SDK package was generated for, so the model that checks
 * a resource's properties describes exactly the API that receives them.
 * Upgrading a package means upgrading its line here (and the wire test says
 * whether anything moved).
 */
export const API_VERSIONS = {
  /** @azure/arm-postgresql-flexible 9.0.0 */
  'Microsoft.DBforPostgreSQL/flexibleServers': '2025-08-01',
  'Microsoft.DBforPostgreSQL/flexibleServers/configurations': '2025-08-01',
  'Microsoft.DBforPostgreSQL/flexibleServers/databases': '2025-08-01',
  'Microsoft.DBforPostgreSQL/flexibleServers/administrators': '2025-08-01',
  /** @azure/arm-network 39.0.0 */
  'Microsoft.Network/virtualNetworks': '2026-01-01',
  'Microsoft.Network/virtualNetworks/subnets': '2026-01-01',
  'Microsoft.Network/virtualNetworks/virtualNetworkPeerings': '2026-01-01',
  'Microsoft.Network/networkSecurityGroups': '2026-01-01',
  /** @azure/arm-privatedns 4.0.0 */
  'Microsoft.Network/privateDnsZones': '2024-06-01',
  'Microsoft.Network/privateDnsZones/virtualNetworkLinks': '2024-06-01',
  /** @azure/arm-msi 2.2.0 */
  'Microsoft.ManagedIdentity/userAssignedIdentities': '2024-11-30',
  'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials': '2024-11-30',
  /** @azure/arm-operationalinsights 11.0.0 */
  'Microsoft.OperationalInsights/workspaces': '2025-07-01',
  /** @azure/arm-monitor 8.0.0 (each resource type has its own API version there) */
  'Microsoft.Insights/diagnosticSettings': '2021-05-01-preview',
  'Microsoft.Insights/actionGroups': '2024-10-01-preview',
  'Microsoft.Insights/metricAlerts': '2026-01-01',
  /** @azure/arm-storage 21.0.0 */
  'Microsoft.Storage/storageAccounts': '2026-09-01',
  'Microsoft.Storage/storageAccounts/blobServices/containers': '2026-09-01',
  'Microsoft.Storage/storageAccounts/managementPolicies': '2026-09-01',
  /** @azure/arm-authorization 9.0.0 */
  'Microsoft.Authorization/roleAssignments': '2022-04-01',
} as const;

export type ResourceType = keyof typeof API_VERSIONS;
