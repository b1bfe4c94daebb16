import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createSerializer, type CompositeMapper } from '@azure/core-client';
import { API_VERSIONS } from '../../src/azure/arm/apiVersions.js';
import type { ArmResource } from '../../src/azure/arm/armTypes.js';
import { renderTemplate } from '../../src/azure/arm/template.js';
import { loadConfig } from '../../src/config/load.js';

/*
 * The SDK models are typed in TypeScript names; a template carries the REST
 * API's JSON names. This test proves they line up for every resource the
 * template emits: the resource's request body goes through the SDK's own
 * deserializer (JSON → model) and serializer (model → JSON), which know the
 * real JSON names. A member the SDK does not know, or one spelled in its
 * TypeScript form where the JSON differs (supportsHttpsTrafficOnly, odata.type,
 * a delegation's properties.serviceName), would be dropped on the way and the
 * round trip would differ. The (de)serializers are internal modules of the SDK
 * packages (not exported), so they are imported by file.
 */

const sdk = (pkg: string, file: string): Promise<Record<string, (x: unknown) => unknown>> =>
  import(pathToFileURL(path.resolve('node_modules/@azure', pkg, 'dist/esm', file)).href) as Promise<
    Record<string, (x: unknown) => unknown>
  >;

type RoundTrip = (body: Record<string, unknown>) => unknown;

/** A modular (TypeSpec) SDK: `<model>Deserializer` then `<model>Serializer` (or the create-parameters serializer). */
async function modular(pkg: string, file: string, model: string, serializeAs = model): Promise<RoundTrip> {
  const m = await sdk(pkg, file);
  const des = m[`${model}Deserializer`];
  const ser = m[`${serializeAs}Serializer`];
  assert.ok(des && ser, `${pkg} ${file} has ${model}Deserializer and ${serializeAs}Serializer`);
  return (body) => ser(des(body));
}

/** An AutoRest SDK: its Mappers with @azure/core-client's serializer (older packages keep them under dist-esm/src). */
async function autorest(pkg: string, model: string, mappersFile = 'models/mappers.js'): Promise<RoundTrip> {
  const mappers = (await sdk(pkg, mappersFile)) as unknown as Record<string, CompositeMapper>;
  const serializer = createSerializer(mappers);
  const mapper = mappers[model];
  assert.ok(mapper, `${pkg} has the ${model} mapper`);
  return (body) => serializer.serialize(mapper, serializer.deserialize(mapper, body, 'body'), 'body');
}

async function roundTrips(): Promise<Record<string, RoundTrip>> {
  const net = 'models/common/models.js';
  return {
    'Microsoft.DBforPostgreSQL/flexibleServers': await autorest('arm-postgresql-flexible', 'Server'),
    'Microsoft.DBforPostgreSQL/flexibleServers/configurations': await autorest(
      'arm-postgresql-flexible',
      'Configuration',
    ),
    'Microsoft.DBforPostgreSQL/flexibleServers/databases': await autorest('arm-postgresql-flexible', 'Database'),
    'Microsoft.DBforPostgreSQL/flexibleServers/administrators': await autorest(
      'arm-postgresql-flexible',
      'AdministratorMicrosoftEntraAdd',
    ),
    'Microsoft.ManagedIdentity/userAssignedIdentities': await autorest('arm-msi', 'Identity'),
    'Microsoft.Network/virtualNetworks': await modular('arm-network', net, 'virtualNetwork'),
    'Microsoft.Network/virtualNetworks/subnets': await modular('arm-network', net, 'subnet'),
    'Microsoft.Network/virtualNetworks/virtualNetworkPeerings': await modular(
      'arm-network',
      net,
      'virtualNetworkPeering',
    ),
    'Microsoft.Network/networkSecurityGroups': await modular('arm-network', net, 'networkSecurityGroup'),
    'Microsoft.Network/privateDnsZones': await modular('arm-privatedns', 'models/models.js', 'privateZone'),
    'Microsoft.Network/privateDnsZones/virtualNetworkLinks': await modular(
      'arm-privatedns',
      'models/models.js',
      'virtualNetworkLink',
    ),
    'Microsoft.OperationalInsights/workspaces': await modular(
      'arm-operationalinsights',
      'models/models.js',
      'workspace',
    ),
    'Microsoft.Insights/diagnosticSettings': await modular(
      'arm-monitor',
      'models/diagnosticsSettings/models.js',
      'diagnosticSettingsResource',
    ),
    'Microsoft.Insights/actionGroups': await modular(
      'arm-monitor',
      'models/actionGroupsApi/models.js',
      'actionGroupResource',
    ),
    'Microsoft.Insights/metricAlerts': await modular(
      'arm-monitor',
      'models/metricAlertApi/models.js',
      'metricAlertResource',
    ),
    // The create body has no deserializer of its own: the account's response model reads the same JSON names.
    'Microsoft.Storage/storageAccounts': await modular(
      'arm-storage',
      'models/models.js',
      'storageAccount',
      'storageAccountCreateParameters',
    ),
    'Microsoft.Storage/storageAccounts/blobServices/containers': await modular(
      'arm-storage',
      'models/models.js',
      'blobContainer',
    ),
    'Microsoft.Storage/storageAccounts/managementPolicies': await modular(
      'arm-storage',
      'models/models.js',
      'managementPolicy',
    ),
    'Microsoft.Authorization/roleAssignments': await autorest(
      'arm-authorization',
      'RoleAssignmentCreateParameters',
      '../../dist-esm/src/models/mappers.js',
    ),
  };
}

/** What ARM sends to the resource provider: the resource minus the template-only members. */
function requestBody(r: ArmResource): Record<string, unknown> {
  const { type: _t, apiVersion: _a, name: _n, dependsOn: _d, scope: _s, ...body } = r;
  return body;
}

/** Drops undefined members, and empty objects (an empty `properties` is no properties; serializers differ in sending it). */
const normalize = (x: unknown): unknown =>
  JSON.parse(JSON.stringify(x ?? null), (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0 ? undefined : v,
  );

test('every resource of the template survives the SDK round trip: its JSON names are the REST API names', async () => {
  const trips = await roundTrips();
  const template = renderTemplate(
    loadConfig({ env: {}, overrides: { azure: { alerts: { emails: ['ops@example.com'] } } } }),
  );
  const seen = new Set<string>();
  for (const r of template.resources) {
    const trip = trips[r.type];
    assert.ok(trip, `a round trip for ${r.type}`);
    seen.add(r.type);
    const body = normalize(requestBody(r));
    const back = normalize(trip(body as Record<string, unknown>)) as { properties?: Record<string, unknown> };
    // The AutoRest Server mapper fills in its declared default for a member we leave out (no zone preference).
    if (r.type === 'Microsoft.DBforPostgreSQL/flexibleServers' && back.properties?.availabilityZone === '')
      delete back.properties.availabilityZone;
    assert.deepEqual(back, body, `${r.type} ${r.name}`);
  }
  assert.deepEqual([...seen].sort(), Object.keys(trips).sort(), 'the template uses every resource type checked here');
});

test('a member the SDK does not know, or the TypeScript spelling of a JSON name, is caught by the round trip', async () => {
  const trips = await roundTrips();
  const template = renderTemplate(loadConfig({ env: {} }));
  const account = template.resources.find((r) => r.type === 'Microsoft.Storage/storageAccounts')!;
  const body = normalize(requestBody(account)) as { properties: Record<string, unknown> };
  // What a template built straight from the SDK's names would carry:
  const properties: Record<string, unknown> = { ...body.properties, enableHttpsTrafficOnly: true };
  delete properties.supportsHttpsTrafficOnly;
  const tsName = { ...body, properties };
  assert.notDeepEqual(normalize(trips['Microsoft.Storage/storageAccounts']!(tsName)), tsName);
});

/** Where each package states the API version its models were generated for. */
const SDK_API_VERSION: Record<string, [pkg: string, file: string]> = {
  'Microsoft.DBforPostgreSQL/flexibleServers': [
    'arm-postgresql-flexible',
    'postgreSQLManagementFlexibleServerClient.js',
  ],
  'Microsoft.ManagedIdentity/userAssignedIdentities': ['arm-msi', 'managedServiceIdentityClient.js'],
  'Microsoft.Network/virtualNetworks': ['arm-network', 'api/virtualNetworks/operations.js'],
  'Microsoft.Network/privateDnsZones': ['arm-privatedns', 'api/privateZones/operations.js'],
  'Microsoft.OperationalInsights/workspaces': ['arm-operationalinsights', 'api/workspaces/operations.js'],
  'Microsoft.Insights/diagnosticSettings': ['arm-monitor', 'api/diagnosticSettings/operations.js'],
  'Microsoft.Insights/actionGroups': ['arm-monitor', 'api/actionGroups/operations.js'],
  'Microsoft.Insights/metricAlerts': ['arm-monitor', 'api/metricAlerts/operations.js'],
  'Microsoft.Storage/storageAccounts': ['arm-storage', 'api/storageAccounts/operations.js'],
  'Microsoft.Authorization/roleAssignments': ['arm-authorization', '../../dist-esm/src/models/parameters.js'],
};

test('each pinned apiVersion is the one its SDK model package speaks', () => {
  for (const [type, [pkg, file]] of Object.entries(SDK_API_VERSION)) {
    const src = readFileSync(path.resolve('node_modules/@azure', pkg, 'dist/esm', file), 'utf8');
    const pinned = API_VERSIONS[type as keyof typeof API_VERSIONS];
    assert.ok(src.includes(`"${pinned}"`), `${pkg} ${file} uses ${pinned} for ${type}`);
  }
});
