import type {
  Delegation,
  KnownSecurityRuleAccess,
  KnownSecurityRuleDirection,
  KnownSecurityRuleProtocol,
  NetworkSecurityGroup,
  SecurityRule,
  Subnet,
  VirtualNetwork,
  VirtualNetworkPeering,
} from '@azure/arm-network';
import type { PrivateZone, VirtualNetworkLink } from '@azure/arm-privatedns';
import type { Config } from '../../config/schema.js';
import { API_VERSIONS } from './apiVersions.js';
import {
  resourceId,
  subResource,
  type ArmProperties,
  type ArmResource,
  type Known,
  type Narrow,
  type SubResourceJson,
} from './armTypes.js';

const POSTGRES_PORT = '5432';
const FLEXIBLE_SERVERS = 'Microsoft.DBforPostgreSQL/flexibleServers';

type SecurityRuleProperties = Narrow<
  ArmProperties<SecurityRule>,
  {
    protocol: Known<KnownSecurityRuleProtocol>;
    access: Known<KnownSecurityRuleAccess>;
    direction: Known<KnownSecurityRuleDirection>;
  }
>;
type NsgProperties = Narrow<
  ArmProperties<NetworkSecurityGroup>,
  { securityRules: SubResourceJson<SecurityRuleProperties>[] }
>;
export type SubnetProperties = Narrow<
  ArmProperties<Subnet>,
  { delegations: SubResourceJson<ArmProperties<Delegation>>[] }
>;
type VnetProperties = Narrow<ArmProperties<VirtualNetwork>, { subnets: SubResourceJson<SubnetProperties>[] }>;

/** One database subnet: where it is, and the other database subnet it replicates with. */
interface DatabaseSubnet {
  vnet: string;
  subnet: string;
  prefix: string;
  location: string;
  peerPrefix: string;
}

export const subnetId = (vnet: string, subnet: string): string =>
  resourceId('Microsoft.Network/virtualNetworks/subnets', vnet, subnet);
export const vnetId = (vnet: string): string => resourceId('Microsoft.Network/virtualNetworks', vnet);
const nsgName = (s: DatabaseSubnet) => `${s.vnet}-${s.subnet}-nsg`;
export const dnsZoneId = (zone: string): string => resourceId('Microsoft.Network/privateDnsZones', zone);
export const dnsLinkId = (zone: string, vnet: string): string =>
  resourceId('Microsoft.Network/privateDnsZones/virtualNetworkLinks', zone, `${vnet}-link`);

/**
 * §3.2 "VNet 내부만 허용": PostgreSQL's port is open to the configured sources
 * (default the VNet and its peers), to the subnet itself (HA standby) and to the
 * other database subnet (replication); anything else is denied. Flexible Server
 * with private access has no public endpoint at all; this narrows who inside
 * the network reaches it.
 */
function securityRules(cfg: Readonly<Config>, s: DatabaseSubnet): SubResourceJson<SecurityRuleProperties>[] {
  const allow = (priority: number, description: string, sources: string[], port = POSTGRES_PORT) =>
    ({
      description,
      protocol: 'Tcp',
      access: 'Allow',
      direction: 'Inbound',
      priority,
      sourcePortRange: '*',
      ...(sources.length === 1 ? { sourceAddressPrefix: sources[0] } : { sourceAddressPrefixes: sources }),
      destinationAddressPrefix: s.prefix,
      destinationPortRange: port,
    }) satisfies SecurityRuleProperties;
  return [
    subResource(
      'allow-postgres-from-app',
      allow(100, 'the application network (azure.allowedSources)', cfg.azure.allowedSources),
    ),
    subResource('allow-within-database-subnet', allow(110, 'HA primary and standby', [s.prefix], '*')),
    subResource(
      'allow-replication-between-regions',
      allow(120, 'the other database subnet (read replica)', [s.peerPrefix]),
    ),
    subResource('allow-azure-load-balancer', allow(130, 'platform health probes', ['AzureLoadBalancer'], '*')),
    subResource('deny-postgres-from-elsewhere', {
      description: '§3.2: nothing else reaches PostgreSQL',
      protocol: 'Tcp',
      access: 'Deny',
      direction: 'Inbound',
      priority: 4000,
      sourcePortRange: '*',
      sourceAddressPrefix: '*',
      destinationAddressPrefix: '*',
      destinationPortRange: POSTGRES_PORT,
    }),
  ];
}

function nsg(cfg: Readonly<Config>, s: DatabaseSubnet): ArmResource {
  const properties: NsgProperties = { securityRules: securityRules(cfg, s) };
  return {
    type: 'Microsoft.Network/networkSecurityGroups',
    apiVersion: API_VERSIONS['Microsoft.Network/networkSecurityGroups'],
    name: nsgName(s),
    location: s.location,
    properties,
  };
}

/** The subnet delegated to Flexible Server, behind its NSG (§3.1). */
function subnetProperties(s: DatabaseSubnet): SubnetProperties {
  return {
    addressPrefix: s.prefix,
    delegations: [subResource('flexibleServers', { serviceName: FLEXIBLE_SERVERS })],
    networkSecurityGroup: { id: resourceId('Microsoft.Network/networkSecurityGroups', nsgName(s)) },
  };
}

/**
 * §3.1 private access: the database subnet in the existing VNet, a VNet of the
 * replica's region for the §7.1 replica (a private-access replica in another
 * region needs one), the two peered, and the private DNS zone linked to both.
 */
export function networkResources(cfg: Readonly<Config>): ArmResource[] {
  const a = cfg.azure;
  const dr = a.replicaNetwork;
  const primary: DatabaseSubnet = {
    vnet: a.vnetName,
    subnet: a.subnetName,
    prefix: a.subnetPrefix,
    location: a.location,
    peerPrefix: dr.subnetPrefix,
  };
  const replica: DatabaseSubnet = {
    vnet: dr.vnetName,
    subnet: dr.subnetName,
    prefix: dr.subnetPrefix,
    location: a.replicaLocation,
    peerPrefix: a.subnetPrefix,
  };
  const drVnet: VnetProperties = {
    addressSpace: { addressPrefixes: [dr.addressPrefix] },
    subnets: [subResource(dr.subnetName, subnetProperties(replica))],
  };
  const peering = (from: string, to: string, dependsOn: string[]): ArmResource => {
    const properties: ArmProperties<VirtualNetworkPeering> = {
      remoteVirtualNetwork: { id: vnetId(to) },
      allowVirtualNetworkAccess: true,
      allowForwardedTraffic: false,
      allowGatewayTransit: false,
      useRemoteGateways: false,
    };
    return {
      type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
      apiVersion: API_VERSIONS['Microsoft.Network/virtualNetworks/virtualNetworkPeerings'],
      name: `${from}/peer-${to}`,
      properties,
      dependsOn,
    };
  };
  const zone: ArmProperties<PrivateZone> = {};
  const link = (vnet: string, dependsOn: string[]): ArmResource => {
    const properties: ArmProperties<VirtualNetworkLink> = {
      virtualNetwork: { id: vnetId(vnet) },
      registrationEnabled: false,
    };
    return {
      type: 'Microsoft.Network/privateDnsZones/virtualNetworkLinks',
      apiVersion: API_VERSIONS['Microsoft.Network/privateDnsZones/virtualNetworkLinks'],
      name: `${a.privateDnsZone}/${vnet}-link`,
      location: 'global',
      properties,
      dependsOn: [dnsZoneId(a.privateDnsZone), ...dependsOn],
    };
  };
  return [
    nsg(cfg, primary),
    {
      type: 'Microsoft.Network/virtualNetworks/subnets',
      apiVersion: API_VERSIONS['Microsoft.Network/virtualNetworks/subnets'],
      name: `${a.vnetName}/${a.subnetName}`,
      properties: subnetProperties(primary),
      dependsOn: [resourceId('Microsoft.Network/networkSecurityGroups', nsgName(primary))],
    },
    nsg(cfg, replica),
    {
      type: 'Microsoft.Network/virtualNetworks',
      apiVersion: API_VERSIONS['Microsoft.Network/virtualNetworks'],
      name: dr.vnetName,
      location: a.replicaLocation,
      properties: drVnet,
      dependsOn: [resourceId('Microsoft.Network/networkSecurityGroups', nsgName(replica))],
    },
    // After the subnet: two operations on one VNet at the same time fail with AnotherOperationInProgress.
    peering(a.vnetName, dr.vnetName, [subnetId(a.vnetName, a.subnetName), vnetId(dr.vnetName)]),
    peering(dr.vnetName, a.vnetName, [vnetId(dr.vnetName)]),
    {
      type: 'Microsoft.Network/privateDnsZones',
      apiVersion: API_VERSIONS['Microsoft.Network/privateDnsZones'],
      name: a.privateDnsZone,
      location: 'global',
      properties: zone,
    },
    link(a.vnetName, []),
    link(dr.vnetName, [vnetId(dr.vnetName)]),
  ];
}
