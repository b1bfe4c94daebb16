import { z } from 'zod';

/**
 * The production target: Azure Database for PostgreSQL Flexible Server
 * (plan §2, §3, §7.1, §12.3). Rendered to Bicep by `bill-inquiry azure render`.
 */
export const azureSection = z.object({
  resourceGroup: z.string().default('phonebill-rg'),
  serverName: z.string().default('phonebill-bill-inquiry-prod-pg'),
  location: z.string().default('koreacentral'),
  version: z.string().default('14'),
  tier: z.enum(['Burstable', 'GeneralPurpose', 'MemoryOptimized']).default('GeneralPurpose'),
  sku: z.string().default('Standard_D4s_v3'),
  /** GB of RAM of `sku`; the plan's §5.1 memory figures are for 16 GB. */
  skuMemoryGb: z.number().int().positive().default(16),
  storageGb: z.number().int().positive().default(256),
  storageAutoGrow: z.boolean().default(true),
  highAvailability: z.enum(['Disabled', 'SameZone', 'ZoneRedundant']).default('ZoneRedundant'),
  zone: z.string().default('1'),
  standbyZone: z.string().default('2'),
  backupRetentionDays: z.number().int().min(7).max(35).default(35),
  geoRedundantBackup: z.boolean().default(true),
  vnetName: z.string().default('phonebill-vnet'),
  subnetName: z.string().default('database-subnet'),
  subnetPrefix: z.string().default('10.0.2.0/24'),
  privateDnsZone: z.string().default('privatelink.postgres.database.azure.com'),
  replicaLocation: z.string().default('koreasouth'),
  replicaSku: z.string().default('Standard_D2s_v3'),
  aadAdminName: z.string().default('phonebill-admin'),
  serviceIdentityName: z.string().default('bill-inquiry-service-identity'),
  adminUser: z.string().default('postgres'),
});
export type AzureConfig = z.infer<typeof azureSection>;
