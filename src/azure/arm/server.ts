import type {
  AdministratorMicrosoftEntraAdd,
  AuthConfig,
  Backup,
  Configuration,
  Database,
  HighAvailability,
  KnownCreateMode,
  KnownGeographicallyRedundantBackup,
  KnownHighAvailabilityMode,
  KnownMicrosoftEntraAuth,
  KnownPasswordBasedAuth,
  KnownPostgresMajorVersion,
  KnownPrincipalType,
  KnownServerPublicNetworkAccessState,
  KnownSkuTier,
  KnownStorageAutoGrow,
  Network,
  Server,
  Sku,
  Storage,
} from '@azure/arm-postgresql-flexible';
import type { AzureConfig } from '../../config/sections/azure.js';
import { replicaServerName } from '../../config/sections/azure.js';
import type { Config } from '../../config/schema.js';
import { azureServerParameters } from '../serverParameters.js';
import { API_VERSIONS } from './apiVersions.js';
import { dnsLinkId, dnsZoneId, subnetId, vnetId } from './network.js';
import { param, resourceId, type ArmProperties, type ArmResource, type Known, type Narrow } from './armTypes.js';

export const PARAM_ADMIN_LOGIN = 'administratorLogin';
export const PARAM_ADMIN_PASSWORD = 'administratorLoginPassword';
export const PARAM_ENTRA_ADMIN_OID = 'entraAdminObjectId';

const SERVERS = 'Microsoft.DBforPostgreSQL/flexibleServers';
const ON_OFF = (b: boolean): 'Enabled' | 'Disabled' => (b ? 'Enabled' : 'Disabled');

/** The Flexible Server's properties, every enum-valued member we set narrowed to the API's known values. */
export type ServerProperties = Narrow<
  ArmProperties<Server>,
  {
    version?: Known<KnownPostgresMajorVersion>;
    createMode?: Known<KnownCreateMode>;
    storage?: Narrow<Storage, { autoGrow?: Known<KnownStorageAutoGrow> }>;
    backup?: Narrow<Backup, { geoRedundantBackup?: Known<KnownGeographicallyRedundantBackup> }>;
    highAvailability?: Narrow<HighAvailability, { mode?: Known<KnownHighAvailabilityMode> }>;
    network?: Narrow<Network, { publicNetworkAccess?: Known<KnownServerPublicNetworkAccessState> }>;
    authConfig?: Narrow<
      AuthConfig,
      { activeDirectoryAuth?: Known<KnownMicrosoftEntraAuth>; passwordAuth?: Known<KnownPasswordBasedAuth> }
    >;
  }
>;
type ServerSku = Narrow<Sku, { tier: Known<KnownSkuTier> }>;
type AdministratorProperties = Narrow<
  ArmProperties<AdministratorMicrosoftEntraAdd>,
  { principalType: Known<KnownPrincipalType> }
>;

export const serverId = (name: string): string => resourceId(SERVERS, name);

/** Child resources of one server, one after the other: Flexible Server refuses concurrent changes (ServerIsBusy). */
function serialChildren(children: Array<Omit<ArmResource, 'dependsOn'>>, after: string[]): ArmResource[] {
  let previous = after;
  return children.map((c) => {
    const r: ArmResource = { ...c, dependsOn: previous };
    previous = [resourceId(c.type, ...c.name.split('/'))];
    return r;
  });
}

/** §5.1/§10.3/§3.2 parameters as `configurations` children, in Azure's names and units. */
function configurations(
  cfg: Readonly<Config>,
  server: string,
  memoryGb: number,
): Array<Omit<ArmResource, 'dependsOn'>> {
  return azureServerParameters(cfg, memoryGb).map(([name, value]) => {
    const properties: ArmProperties<Configuration> = { value, source: 'user-override' };
    return {
      type: `${SERVERS}/configurations`,
      apiVersion: API_VERSIONS['Microsoft.DBforPostgreSQL/flexibleServers/configurations'],
      name: `${server}/${name}`,
      properties,
    };
  });
}

export function primaryServer(a: Readonly<AzureConfig>): ArmResource {
  const sku: ServerSku = { name: a.sku, tier: a.tier };
  const properties: ServerProperties = {
    createMode: 'Create',
    version: a.version,
    administratorLogin: param(PARAM_ADMIN_LOGIN),
    administratorLoginPassword: param(PARAM_ADMIN_PASSWORD),
    availabilityZone: a.zone,
    storage: { storageSizeGB: a.storageGb, autoGrow: ON_OFF(a.storageAutoGrow) },
    backup: { backupRetentionDays: a.backupRetentionDays, geoRedundantBackup: ON_OFF(a.geoRedundantBackup) },
    // API 2025-08-01 knows ZoneRedundant and SameZone; a server without HA has no highAvailability block.
    ...(a.highAvailability === 'Disabled'
      ? {}
      : { highAvailability: { mode: a.highAvailability, standbyAvailabilityZone: a.standbyZone } }),
    network: {
      delegatedSubnetResourceId: subnetId(a.vnetName, a.subnetName),
      privateDnsZoneArmResourceId: dnsZoneId(a.privateDnsZone),
      publicNetworkAccess: 'Disabled',
    },
    // §3.2/§3.3: PostgreSQL authentication plus Microsoft Entra ID (the service's managed identity).
    authConfig: { passwordAuth: 'Enabled', activeDirectoryAuth: 'Enabled', tenantId: '[subscription().tenantId]' },
  };
  return {
    type: SERVERS,
    apiVersion: API_VERSIONS[SERVERS],
    name: a.serverName,
    location: a.location,
    sku,
    properties,
    dependsOn: [subnetId(a.vnetName, a.subnetName), dnsLinkId(a.privateDnsZone, a.vnetName)],
  };
}

/**
 * §7.1: the read replica in the replica region, on its own SKU, in the
 * replica VNet's delegated subnet, resolving through the same private zone.
 * Roles, the database and Entra settings come from the primary by replication.
 */
export function replicaServer(a: Readonly<AzureConfig>, after: string[]): ArmResource {
  const dr = a.replicaNetwork;
  const sku: ServerSku = { name: a.replicaSku, tier: a.tier };
  const properties: ServerProperties = {
    createMode: 'Replica',
    sourceServerResourceId: serverId(a.serverName),
    storage: { storageSizeGB: a.storageGb, autoGrow: ON_OFF(a.storageAutoGrow) },
    network: {
      delegatedSubnetResourceId: subnetId(dr.vnetName, dr.subnetName),
      privateDnsZoneArmResourceId: dnsZoneId(a.privateDnsZone),
      publicNetworkAccess: 'Disabled',
    },
  };
  return {
    type: SERVERS,
    apiVersion: API_VERSIONS[SERVERS],
    name: replicaServerName(a),
    location: a.replicaLocation,
    sku,
    properties,
    dependsOn: [
      ...after,
      vnetId(dr.vnetName),
      dnsLinkId(a.privateDnsZone, dr.vnetName),
      resourceId('Microsoft.Network/virtualNetworks/virtualNetworkPeerings', dr.vnetName, `peer-${a.vnetName}`),
    ],
  };
}

/**
 * The server, then on it one after the other: every parameter, the §4.1
 * database, the §3.3 Entra admin; then the replica and its parameters (scaled
 * to the replica's memory).
 */
export function serverResources(cfg: Readonly<Config>): ArmResource[] {
  const a = cfg.azure;
  const db: ArmProperties<Database> = { charset: 'UTF8', collation: 'en_US.utf8' };
  const admin: AdministratorProperties = {
    principalType: a.aadAdminType,
    principalName: a.aadAdminName,
    tenantId: '[subscription().tenantId]',
  };
  const primaryChain = serialChildren(
    [
      ...configurations(cfg, a.serverName, a.skuMemoryGb),
      {
        type: `${SERVERS}/databases`,
        apiVersion: API_VERSIONS['Microsoft.DBforPostgreSQL/flexibleServers/databases'],
        name: `${a.serverName}/${cfg.database.name}`,
        properties: db,
      },
    ],
    [serverId(a.serverName)],
  );
  const lastOfChain = primaryChain.at(-1)!;
  const adminResource: ArmResource = {
    type: `${SERVERS}/administrators`,
    apiVersion: API_VERSIONS['Microsoft.DBforPostgreSQL/flexibleServers/administrators'],
    // The child's name is the admin's object id, known only to the tenant: a template parameter.
    name: `[format('{0}/{1}', '${a.serverName}', parameters('${PARAM_ENTRA_ADMIN_OID}'))]`,
    properties: admin,
    dependsOn: [resourceId(lastOfChain.type, ...lastOfChain.name.split('/'))],
  };
  const adminId = `[resourceId('${SERVERS}/administrators', '${a.serverName}', parameters('${PARAM_ENTRA_ADMIN_OID}'))]`;
  const replicaName = replicaServerName(a);
  const replica = replicaServer(a, [adminId]);
  const replicaChain = serialChildren(configurations(cfg, replicaName, a.replicaSkuMemoryGb), [serverId(replicaName)]);
  return [primaryServer(a), ...primaryChain, adminResource, replica, ...replicaChain];
}
