import { z } from 'zod';

/** A subnet or address space, e.g. 10.0.2.0/24. */
const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'an IPv4 CIDR such as 10.0.2.0/24');

/**
 * The production target: Azure Database for PostgreSQL Flexible Server and
 * what the plan asks of Azure around it (plan §2, §3, §7.1, §8, §9.1, §10.3,
 * §12). `bill-inquiry azure template` renders all of it as an ARM template,
 * `azure deploy` deploys it, `azure sql` renders the Entra identity mapping.
 * Defaults are the plan's values; where the plan names nothing (the Korea
 * South network of the replica, the workspace, the storage account) the
 * default is ours and says so.
 */
export const azureSection = z.object({
  /** §12.2: the resource group exists already (prerequisite); the deployment targets it. */
  resourceGroup: z.string().default('phonebill-rg'),
  /** §2.1 */
  serverName: z.string().default('phonebill-bill-inquiry-prod-pg'),
  /** §2.1 Korea Central. */
  location: z.string().default('koreacentral'),
  /**
   * §2.1 PostgreSQL 14. Community support for 14 ended on 2026-11-12; `azure
   * template` keeps the plan's value but warns. Values: the SDK's
   * KnownPostgresMajorVersion (checked by typecheck in src/azure/arm/server.ts).
   */
  version: z.enum(['11', '12', '13', '14', '15', '16', '17', '18']).default('14'),
  /** §2.1 General Purpose. */
  tier: z.enum(['Burstable', 'GeneralPurpose', 'MemoryOptimized']).default('GeneralPurpose'),
  /** §2.1 Standard_D4s_v3 (4 vCPU, 16 GB). */
  sku: z.string().default('Standard_D4s_v3'),
  /** GB of RAM of `sku`; the plan's §5.1 memory figures are for 16 GB and are scaled to this. */
  skuMemoryGb: z.number().int().positive().default(16),
  /** §2.1 256 GB Premium SSD. */
  storageGb: z.number().int().positive().default(256),
  /** §2.1 "자동 확장 활성화". */
  storageAutoGrow: z.boolean().default(true),
  /** §2.2 zone-redundant HA, primary zone 1, standby zone 2. */
  highAvailability: z.enum(['Disabled', 'SameZone', 'ZoneRedundant']).default('ZoneRedundant'),
  /** §2.2 the primary's availability zone ("Zone 1"). */
  zone: z.string().default('1'),
  /** §2.2 the standby's availability zone ("Zone 2"). */
  standbyZone: z.string().default('2'),
  /** §2.3 35 days (the maximum). */
  backupRetentionDays: z.number().int().min(7).max(35).default(35),
  /** §2.3 geo-redundant backup (to the paired region, Korea South). */
  geoRedundantBackup: z.boolean().default(true),
  /** §3.1 the existing VNet; the template adds the database subnet to it. */
  vnetName: z.string().default('phonebill-vnet'),
  /** §3.1 the database subnet (10.0.2.0/24), delegated to Flexible Server. */
  subnetName: z.string().default('database-subnet'),
  subnetPrefix: cidr.default('10.0.2.0/24'),
  /** §3.1 private DNS zone, linked to the VNet(s). Flexible Server requires a name ending in postgres.database.azure.com. */
  privateDnsZone: z
    .string()
    .regex(/(^|\.)postgres\.database\.azure\.com$/, 'must end with postgres.database.azure.com')
    .default('privatelink.postgres.database.azure.com'),
  /**
   * §3.2 "VNet 내부만 허용 / AKS 서브넷만": source address prefixes (or service
   * tags) allowed to reach 5432 through the database subnet's network security
   * group. `VirtualNetwork` = the VNet and its peers; narrow it to the AKS
   * subnet's prefix when you know it.
   */
  allowedSources: z.array(z.string()).min(1).default(['VirtualNetwork']),
  /** §7.1 read replica in Korea South on Standard_D2s_v3 (8 GB); name default `<serverName>-replica`. */
  replicaName: z.string().optional(),
  /** §7.1 the replica's region (Korea South, the pair of Korea Central). */
  replicaLocation: z.string().default('koreasouth'),
  /** §7.1 the replica's compute size. */
  replicaSku: z.string().default('Standard_D2s_v3'),
  /** Memory of replicaSku, GB: the replica's memory parameters are scaled from it (§5.1). */
  replicaSkuMemoryGb: z.number().int().positive().default(8),
  /**
   * A private-access replica in another region needs a delegated subnet in a
   * VNet of that region, peered with the primary's. The plan names none: these
   * defaults are ours.
   */
  replicaNetwork: z
    .object({
      /** The replica region's VNet. */
      vnetName: z.string().default('phonebill-dr-vnet'),
      addressPrefix: cidr.default('10.1.0.0/16'),
      /** Its subnet delegated to Flexible Server. */
      subnetName: z.string().default('database-subnet'),
      subnetPrefix: cidr.default('10.1.2.0/24'),
    })
    .prefault({}),
  /** §3.3 Microsoft Entra admin (the plan's "AD 관리자"). */
  aadAdminName: z.string().default('phonebill-admin'),
  /** What aadAdminName names: an Entra group (so the admins are managed in Entra), a user or a service principal. */
  aadAdminType: z.enum(['Group', 'User', 'ServicePrincipal']).default('Group'),
  /**
   * Object id of `aadAdminName` in Entra ID (not secret, but only your tenant
   * knows it): `az ad group show -g phonebill-admin --query id -o tsv`. Needed
   * by `azure deploy` (e.g. BILL_INQUIRY__AZURE__AAD_ADMIN_OBJECT_ID).
   */
  aadAdminObjectId: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a GUID')
    .optional(),
  /** §3.3 the application's user-assigned managed identity. */
  serviceIdentityName: z.string().default('bill-inquiry-service-identity'),
  /** §12.3 the server's password-based admin; its password comes from the secret store (`azure-admin-password`). */
  adminUser: z.string().default('postgres'),
  /** §8.2, §10.3: where server logs (pgaudit included) and metrics go. Our names and retention; the plan names none. */
  logAnalytics: z
    .object({
      /** The Log Analytics workspace the diagnostic settings send to. */
      workspaceName: z.string().default('phonebill-bill-inquiry-logs'),
      /** Days the workspace keeps logs (audit lines included: §10.3). */
      retentionDays: z.number().int().min(30).max(730).default(90),
      /** Diagnostic log categories of Flexible Server; PostgreSQLLogs carries the server log, pgaudit lines included. */
      logCategories: z.array(z.string()).min(1).default(['PostgreSQLLogs', 'PostgreSQLFlexSessions']),
    })
    .prefault({}),
  /**
   * §8.1 Azure Monitor: one metric alert per threshold of `monitor.alerts`
   * (values and §14.2 severities from there) to this action group.
   */
  alerts: z
    .object({
      /** The action group every metric alert notifies. */
      actionGroupName: z.string().default('phonebill-db-oncall'),
      /** Shown in SMS/e-mail; at most 12 characters. */
      actionGroupShortName: z.string().max(12).default('pg-oncall'),
      /** §14.2 "운영팀 즉시 알림": the operations team's addresses (none in the plan; `azure deploy` warns when empty). */
      emails: z.array(z.string().email()).default([]),
      /** How often Azure evaluates each alert (ISO 8601). */
      evaluationFrequency: z.enum(['PT1M', 'PT5M', 'PT15M', 'PT30M', 'PT1H']).default('PT1M'),
    })
    .prefault({}),
  /**
   * §9.1 weekly logical dumps kept 3 months in Blob Storage (the lifecycle rule
   * deletes after backup.logical.retentionDays). Account name: 3–24 lower-case
   * letters and digits, unique in Azure; ours, the plan names none.
   */
  logicalBackup: z
    .object({
      /** The storage account holding the dumps. */
      storageAccount: z
        .string()
        .regex(/^[a-z0-9]{3,24}$/, '3–24 lower-case letters and digits')
        .default('phonebillpgdumps'),
      /** The private container the dumps are uploaded to (`backup logical --upload`). */
      container: z.string().default('logical-dumps'),
      /** Geo-redundant like the rest of the plan's backups (§2.3). */
      sku: z
        .enum(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_RAGRS', 'Standard_GZRS'])
        .default('Standard_GRS'),
      /** Written weekly, read only to restore: the Cool tier (its 30-day minimum is far below the 92 days kept). */
      accessTier: z.enum(['Hot', 'Cool', 'Cold']).default('Cool'),
      /**
       * Blob service URL of the account that `backup logical --upload` writes to and `check weekly` /
       * `monitor` read; default `https://<storageAccount>.blob.core.windows.net`. HTTPS only (§10.2:
       * encrypted in transit). Path-style (`https://host:port/<account>`) for Azurite or a private
       * endpoint. Set it (or azure.subscriptionId) and the monitor watches the container.
       */
      accountUrl: z
        .string()
        .url()
        .refine((u) => u.startsWith('https://'), 'an https:// URL (dumps travel encrypted, §10.2)')
        .optional(),
      /**
       * How `backup logical --upload` signs in to the container: `identity` = an Entra token of the
       * managed identity (workload identity in the cluster; azure.clientId), which the template gives
       * Storage Blob Data Contributor on the container; `sas` = a SAS token from the secret store
       * (`azure-blob-sas`, or BILL_INQUIRY_SECRET_AZURE_BLOB_SAS) with create/write/read rights.
       */
      auth: z.enum(['identity', 'sas']).default('identity'),
      /** Block size (MiB) of the streamed upload: the dump is never on local disk, at most blockMb × uploadConcurrency in memory. */
      blockMb: z.number().int().min(1).max(100).default(8),
      /** Blocks of the upload in flight at once (each holds blockMb of memory). */
      uploadConcurrency: z.number().int().min(1).max(16).default(2),
    })
    .prefault({}),
  /**
   * The subscription of azure.resourceGroup. Set = Azure is configured: on an external target
   * (service.database) the daily checklist, `monitor alerts` and /ops take the server's CPU, memory,
   * storage and connections from Azure Monitor and its backups from the server's backup list (ARM),
   * §8.1, §14.1. Unset: those items say "not measured here" — never another machine's figures.
   */
  subscriptionId: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a GUID')
    .optional(),
  /**
   * Client id of the user-assigned identity the tool signs in with to Azure Monitor, ARM and Blob
   * storage (output serviceIdentityClientId); default service.database.entra.clientId; neither:
   * DefaultAzureCredential (workload identity, az login). A token from the secret store
   * (`azure-arm-token`) replaces the identity for ARM calls, e.g. a one-off run with
   * `az account get-access-token`. §3.3 (the application's managed identity).
   */
  clientId: z.string().optional(),
  /** §8.1, §14.1: Azure Resource Manager endpoint (a sovereign cloud's); tokens are asked for `<armEndpoint>/.default`. */
  armEndpoint: z.string().url().default('https://management.azure.com'),
  /** §8.1 figures from Azure Monitor: the newest 1-minute average within this many minutes (metrics arrive 1–3 min late). */
  metricsLookbackMinutes: z.number().int().min(2).max(60).default(15),
  /** §8.1: seconds one Azure Monitor / backup-list answer is reused by long-running processes (/ops, /metrics): a new metric point comes once a minute. */
  armCacheS: z.number().int().min(0).max(3600).default(60),
  /** `azure deploy`: name of the ARM deployment in the resource group. */
  deploymentName: z.string().default('bill-inquiry-db'),
  /** `azure deploy --yes`: how often progress is polled (resources done so far). */
  deployPollSeconds: z.number().positive().default(15),
  /** `azure deploy` refuses an older az CLI: the version whose parser the tests check every emitted command against. */
  minAzVersion: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/)
    .default('2.45.0'),
});
export type AzureConfig = z.infer<typeof azureSection>;

/** The replica's server name: `azure.replicaName`, or the plan's `<serverName>-replica` (§7.1). */
export const replicaServerName = (a: Readonly<AzureConfig>): string => a.replicaName ?? `${a.serverName}-replica`;
