import type {
  BlobContainer,
  KnownKind,
  KnownMinimumTlsVersion,
  KnownRuleType,
  KnownSkuName,
  ManagementPolicy,
  ManagementPolicyRule,
  StorageAccountCreateParameters,
} from '@azure/arm-storage';
import type { Config } from '../../config/schema.js';
import { API_VERSIONS } from './apiVersions.js';
import { renamed, resourceId, type ArmProperties, type ArmResource, type Known, type Narrow } from './armTypes.js';

type AccountProperties = Narrow<
  ArmProperties<StorageAccountCreateParameters>,
  { minimumTlsVersion: Known<KnownMinimumTlsVersion> }
>;
type LifecycleRule = Narrow<ManagementPolicyRule, { type: Known<KnownRuleType> }>;

/**
 * §9.1 weekly logical dumps, kept 3 months in Blob Storage: an account that
 * takes only TLS 1.2+ and Entra ID (no shared keys, no anonymous access), a
 * private container, and a lifecycle rule deleting dumps
 * backup.logical.retentionDays (92) after they were written.
 */
export function storageResources(cfg: Readonly<Config>): ArmResource[] {
  const lb = cfg.azure.logicalBackup;
  const account = lb.storageAccount;
  const accountId = resourceId('Microsoft.Storage/storageAccounts', account);
  const properties: AccountProperties = {
    minimumTlsVersion: 'TLS1_2',
    enableHttpsTrafficOnly: true,
    allowBlobPublicAccess: false,
    allowSharedKeyAccess: false,
    defaultToOAuthAuthentication: true,
    accessTier: lb.accessTier,
  };
  const container: ArmProperties<BlobContainer> = { publicAccess: 'None' };
  const rule: LifecycleRule = {
    enabled: true,
    name: 'delete-logical-dumps',
    type: 'Lifecycle',
    definition: {
      filters: { blobTypes: ['blockBlob'], prefixMatch: [`${lb.container}/`] },
      actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: cfg.backup.logical.retentionDays } } },
    },
  };
  const policy: ArmProperties<ManagementPolicy> = { policy: { rules: [rule] } };
  const sku: { name: Known<KnownSkuName> } = { name: lb.sku };
  const kind: Known<KnownKind> = 'StorageV2';
  return [
    {
      type: 'Microsoft.Storage/storageAccounts',
      apiVersion: API_VERSIONS['Microsoft.Storage/storageAccounts'],
      name: account,
      location: cfg.azure.location,
      sku,
      kind,
      // The SDK says enableHttpsTrafficOnly where the REST API says supportsHttpsTrafficOnly.
      properties: renamed(properties, { enableHttpsTrafficOnly: 'supportsHttpsTrafficOnly' }),
    },
    {
      type: 'Microsoft.Storage/storageAccounts/blobServices/containers',
      apiVersion: API_VERSIONS['Microsoft.Storage/storageAccounts/blobServices/containers'],
      name: `${account}/default/${lb.container}`,
      properties: container,
      dependsOn: [accountId],
    },
    {
      type: 'Microsoft.Storage/storageAccounts/managementPolicies',
      apiVersion: API_VERSIONS['Microsoft.Storage/storageAccounts/managementPolicies'],
      name: `${account}/default`,
      properties: policy,
      dependsOn: [accountId],
    },
  ];
}
