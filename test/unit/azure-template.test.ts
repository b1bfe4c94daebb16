import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ArmResource, ArmTemplate } from '../../src/azure/arm/armTypes.js';
import { renderParameters, renderTemplate } from '../../src/azure/arm/template.js';
import { azureServerParameters } from '../../src/azure/serverParameters.js';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';

const AFTER_EOL = new Date('2026-11-29T00:00:00Z');
const render = (overrides: ConfigInput = {}, today = AFTER_EOL): ArmTemplate =>
  renderTemplate(loadConfig({ env: {}, overrides }), today);

/** The one resource of a type (and name), failing loudly when absent or ambiguous. */
function one(t: ArmTemplate, type: string, name?: string): ArmResource & { properties: any } {
  const found = t.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  assert.equal(found.length, 1, `exactly one ${type} ${name ?? ''} (found ${found.map((r) => r.name).join(', ')})`);
  return found[0] as ArmResource & { properties: any };
}
const all = (t: ArmTemplate, type: string) =>
  t.resources.filter((r) => r.type === type) as Array<ArmResource & { properties: any }>;

const SERVER = 'phonebill-bill-inquiry-prod-pg';
const REPLICA = `${SERVER}-replica`;
const t = render();

describe('azure template: the plan at the right paths', () => {
  test('§3.1 delegated subnet 10.0.2.0/24 in phonebill-vnet, behind an NSG that lets only the VNet reach 5432 (§3.2)', () => {
    const subnet = one(t, 'Microsoft.Network/virtualNetworks/subnets', 'phonebill-vnet/database-subnet');
    assert.equal(subnet.properties.addressPrefix, '10.0.2.0/24');
    assert.deepEqual(subnet.properties.delegations, [
      { name: 'flexibleServers', properties: { serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers' } },
    ]);
    const nsg = one(t, 'Microsoft.Network/networkSecurityGroups', 'phonebill-vnet-database-subnet-nsg');
    assert.equal(
      subnet.properties.networkSecurityGroup.id,
      "[resourceId('Microsoft.Network/networkSecurityGroups', 'phonebill-vnet-database-subnet-nsg')]",
    );
    const rules = Object.fromEntries(nsg.properties.securityRules.map((r: any) => [r.name, r.properties]));
    assert.equal(rules['allow-postgres-from-app'].sourceAddressPrefix, 'VirtualNetwork');
    assert.equal(rules['allow-postgres-from-app'].destinationPortRange, '5432');
    assert.equal(rules['deny-postgres-from-elsewhere'].access, 'Deny');
    assert.equal(rules['deny-postgres-from-elsewhere'].sourceAddressPrefix, '*');
  });

  test('§3.1 private DNS zone privatelink.postgres.database.azure.com, linked to both VNets without registration', () => {
    one(t, 'Microsoft.Network/privateDnsZones', 'privatelink.postgres.database.azure.com');
    const links = all(t, 'Microsoft.Network/privateDnsZones/virtualNetworkLinks');
    assert.deepEqual(
      links.map((l) => [l.name, l.properties.virtualNetwork.id, l.properties.registrationEnabled]),
      [
        [
          'privatelink.postgres.database.azure.com/phonebill-vnet-link',
          "[resourceId('Microsoft.Network/virtualNetworks', 'phonebill-vnet')]",
          false,
        ],
        [
          'privatelink.postgres.database.azure.com/phonebill-dr-vnet-link',
          "[resourceId('Microsoft.Network/virtualNetworks', 'phonebill-dr-vnet')]",
          false,
        ],
      ],
    );
  });

  test('§2.1–§2.3, §3.2, §3.3 the server: 14, General Purpose D4s_v3, 256 GB auto-grow, zone-redundant HA 1/2, 35-day geo-redundant backups, private, password + Entra', () => {
    const s = one(t, 'Microsoft.DBforPostgreSQL/flexibleServers', SERVER);
    assert.equal(s.location, 'koreacentral');
    assert.deepEqual(s.sku, { name: 'Standard_D4s_v3', tier: 'GeneralPurpose' });
    const p = s.properties;
    assert.equal(p.version, '14');
    assert.equal(p.createMode, 'Create');
    assert.deepEqual(p.storage, { storageSizeGB: 256, autoGrow: 'Enabled' });
    assert.deepEqual(p.highAvailability, { mode: 'ZoneRedundant', standbyAvailabilityZone: '2' });
    assert.equal(p.availabilityZone, '1');
    assert.deepEqual(p.backup, { backupRetentionDays: 35, geoRedundantBackup: 'Enabled' });
    assert.equal(p.network.publicNetworkAccess, 'Disabled');
    assert.equal(
      p.network.delegatedSubnetResourceId,
      "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'phonebill-vnet', 'database-subnet')]",
    );
    assert.match(
      p.network.privateDnsZoneArmResourceId,
      /privateDnsZones', 'privatelink\.postgres\.database\.azure\.com'/,
    );
    assert.deepEqual(p.authConfig, {
      passwordAuth: 'Enabled',
      activeDirectoryAuth: 'Enabled',
      tenantId: '[subscription().tenantId]',
    });
    assert.equal(p.administratorLogin, "[parameters('administratorLogin')]");
    assert.equal(p.administratorLoginPassword, "[parameters('administratorLoginPassword')]");
    assert.equal(t.parameters.administratorLoginPassword?.type, 'securestring');
    assert.equal(t.parameters.administratorLoginPassword?.defaultValue, undefined);
  });

  test('§5.1, §10.3, §3.2 every server parameter is a configurations child in Azure units, applied one after the other', () => {
    const cfgs = all(t, 'Microsoft.DBforPostgreSQL/flexibleServers/configurations').filter((r) =>
      r.name.startsWith(`${SERVER}/`),
    );
    const expected = azureServerParameters(loadConfig({ env: {} }));
    assert.deepEqual(
      cfgs.map((c) => [c.name.slice(SERVER.length + 1), c.properties.value]),
      expected,
    );
    const byName = Object.fromEntries(cfgs.map((c) => [c.name.slice(SERVER.length + 1), c.properties.value]));
    assert.equal(byName.shared_buffers, '524288', '4GB in 8 kB pages');
    assert.equal(byName.max_connections, '200');
    assert.equal(byName.log_statement, 'all');
    assert.equal(byName.shared_preload_libraries, 'pg_stat_statements,pgaudit');
    assert.equal(byName['pgaudit.log'], 'WRITE,DDL');
    assert.equal(byName.require_secure_transport, 'on');
    assert.ok(cfgs.every((c) => c.properties.source === 'user-override'));
    // Flexible Server refuses concurrent changes: each child waits for the one before.
    cfgs
      .slice(1)
      .forEach((c, i) =>
        assert.match(c.dependsOn![0]!, new RegExp(`'${cfgs[i]!.name.split('/')[1]!.replace('.', '\\.')}'`)),
      );
  });

  test('§4.1 the database, §3.3 the Entra admin group and the managed identity', () => {
    const db = one(t, 'Microsoft.DBforPostgreSQL/flexibleServers/databases', `${SERVER}/bill_inquiry_db`);
    assert.deepEqual(db.properties, { charset: 'UTF8', collation: 'en_US.utf8' });
    const admin = one(t, 'Microsoft.DBforPostgreSQL/flexibleServers/administrators');
    assert.deepEqual(admin.properties, {
      principalType: 'Group',
      principalName: 'phonebill-admin',
      tenantId: '[subscription().tenantId]',
    });
    assert.match(admin.name, /parameters\('entraAdminObjectId'\)/);
    const id = one(t, 'Microsoft.ManagedIdentity/userAssignedIdentities');
    assert.equal(id.name, 'bill-inquiry-service-identity');
    assert.equal(id.location, 'koreacentral');
    assert.match(
      t.outputs.serviceIdentityPrincipalId!.value,
      /bill-inquiry-service-identity'\), '2024-11-30'\)\.principalId/,
    );
  });

  test('§7.1 the read replica in Korea South on Standard_D2s_v3, 256 GB, its parameters scaled to its 8 GB', () => {
    const r = one(t, 'Microsoft.DBforPostgreSQL/flexibleServers', REPLICA);
    assert.equal(r.location, 'koreasouth');
    assert.deepEqual(r.sku, { name: 'Standard_D2s_v3', tier: 'GeneralPurpose' });
    assert.equal(r.properties.createMode, 'Replica');
    assert.equal(
      r.properties.sourceServerResourceId,
      `[resourceId('Microsoft.DBforPostgreSQL/flexibleServers', '${SERVER}')]`,
    );
    assert.equal(r.properties.storage.storageSizeGB, 256);
    assert.match(r.properties.network.delegatedSubnetResourceId, /'phonebill-dr-vnet', 'database-subnet'/);
    const vnet = one(t, 'Microsoft.Network/virtualNetworks', 'phonebill-dr-vnet');
    assert.equal(vnet.location, 'koreasouth');
    assert.equal(all(t, 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings').length, 2);
    const sb = one(t, 'Microsoft.DBforPostgreSQL/flexibleServers/configurations', `${REPLICA}/shared_buffers`);
    assert.equal(sb.properties.value, String((2 * 1024 * 1024) / 8), '2GB on 8 GB');
  });

  test('§8.2, §10.3 Log Analytics and diagnostic settings: PostgreSQL logs (pgaudit lines included) and all metrics of both servers', () => {
    const ws = one(t, 'Microsoft.OperationalInsights/workspaces');
    assert.equal(ws.properties.sku.name, 'PerGB2018');
    const diags = all(t, 'Microsoft.Insights/diagnosticSettings');
    assert.deepEqual(
      diags.map((d) => d.scope),
      [`Microsoft.DBforPostgreSQL/flexibleServers/${SERVER}`, `Microsoft.DBforPostgreSQL/flexibleServers/${REPLICA}`],
    );
    for (const d of diags) {
      assert.ok(d.properties.logs.some((l: any) => l.category === 'PostgreSQLLogs' && l.enabled));
      assert.deepEqual(d.properties.metrics, [{ category: 'AllMetrics', enabled: true }]);
      assert.match(d.properties.workspaceId, /workspaces', 'phonebill-bill-inquiry-logs'/);
    }
  });

  test('§8.1 one metric alert per threshold with its §14.2 severity, to the action group; response time is said to live in Prometheus', () => {
    const alerts = all(t, 'Microsoft.Insights/metricAlerts');
    const byMetric = Object.fromEntries(
      alerts.map((a) => {
        const c = a.properties.criteria;
        assert.equal(c['odata.type'], 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria');
        const [k] = c.allOf;
        return [
          k.metricName,
          {
            op: k.operator,
            th: k.threshold,
            agg: k.timeAggregation,
            win: a.properties.windowSize,
            sev: a.properties.severity,
          },
        ];
      }),
    );
    assert.deepEqual(byMetric, {
      cpu_percent: { op: 'GreaterThanOrEqual', th: 85, agg: 'Minimum', win: 'PT5M', sev: 2 },
      memory_percent: { op: 'GreaterThanOrEqual', th: 90, agg: 'Minimum', win: 'PT5M', sev: 2 },
      storage_percent: { op: 'GreaterThanOrEqual', th: 80, agg: 'Minimum', win: 'PT5M', sev: 2 },
      active_connections: { op: 'GreaterThanOrEqual', th: 180, agg: 'Minimum', win: 'PT1M', sev: 2 },
      connections_failed: { op: 'GreaterThanOrEqual', th: 10, agg: 'Total', win: 'PT1M', sev: 2 },
      physical_replication_delay_in_seconds: { op: 'GreaterThanOrEqual', th: 60, agg: 'Minimum', win: 'PT1M', sev: 2 },
    });
    const group = one(t, 'Microsoft.Insights/actionGroups');
    for (const a of alerts) {
      // The replica's lag is its own metric: that alert watches the replica, the others the primary.
      const server = a.properties.criteria.allOf[0].metricName.startsWith('physical_replication') ? REPLICA : SERVER;
      assert.deepEqual(a.properties.scopes, [`[resourceId('Microsoft.DBforPostgreSQL/flexibleServers', '${server}')]`]);
      assert.deepEqual(a.properties.actions, [
        { actionGroupId: `[resourceId('Microsoft.Insights/actionGroups', '${group.name}')]` },
      ]);
    }
    assert.match((t.metadata.notes as string[]).join('\n'), /response time .* BillInquiryResponseSlow/);
  });

  test('§9.1 a storage account (TLS 1.2, no shared keys, no public blobs), a private container and a 92-day delete rule', () => {
    const acct = one(t, 'Microsoft.Storage/storageAccounts');
    assert.equal(acct.properties.minimumTlsVersion, 'TLS1_2');
    assert.equal(acct.properties.supportsHttpsTrafficOnly, true);
    assert.equal(acct.properties.allowBlobPublicAccess, false);
    assert.equal(acct.properties.allowSharedKeyAccess, false);
    const container = one(t, 'Microsoft.Storage/storageAccounts/blobServices/containers');
    assert.equal(container.name, `${acct.name}/default/logical-dumps`);
    assert.equal(container.properties.publicAccess, 'None');
    const [rule] = one(t, 'Microsoft.Storage/storageAccounts/managementPolicies').properties.policy.rules;
    assert.deepEqual(rule.definition, {
      filters: { blobTypes: ['blockBlob'], prefixMatch: ['logical-dumps/'] },
      actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: 92 } } },
    });
  });

  test('§9.1, §8.1 role assignments: the identity is Storage Blob Data Contributor on the dump container and Reader on the server, nothing wider', () => {
    const assignments = all(t, 'Microsoft.Authorization/roleAssignments');
    const identity = "resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'bill-inquiry-service-identity')";
    const container =
      "resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', 'phonebillpgdumps', 'default', 'logical-dumps')";
    const server = `resourceId('Microsoft.DBforPostgreSQL/flexibleServers', '${SERVER}')`;
    assert.deepEqual(
      assignments.map((r) => [r.scope, r.properties.roleDefinitionId, r.name, r.dependsOn]),
      [
        [
          'Microsoft.Storage/storageAccounts/phonebillpgdumps/blobServices/default/containers/logical-dumps',
          "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')]",
          `[guid(${container}, ${identity}, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')]`,
          [`[${container}]`, `[${identity}]`],
        ],
        [
          `Microsoft.DBforPostgreSQL/flexibleServers/${SERVER}`,
          "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]",
          `[guid(${server}, ${identity}, 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]`,
          [`[${server}]`, `[${identity}]`],
        ],
      ],
    );
    for (const r of assignments) {
      assert.equal(r.apiVersion, '2022-04-01');
      assert.equal(r.properties.principalId, `[reference(${identity}, '2024-11-30').principalId]`);
      assert.equal(r.properties.principalType, 'ServicePrincipal');
    }
    const moved = render({
      azure: { serverName: 'other-pg', logicalBackup: { storageAccount: 'otherdumps', container: 'c2' } },
    });
    assert.deepEqual(
      all(moved, 'Microsoft.Authorization/roleAssignments').map((r) => r.scope),
      [
        'Microsoft.Storage/storageAccounts/otherdumps/blobServices/default/containers/c2',
        'Microsoft.DBforPostgreSQL/flexibleServers/other-pg',
      ],
      'the scopes follow the configuration',
    );
  });

  test('every resource pins an apiVersion; every dependency names a resource the template defines', () => {
    const ids = new Set(
      t.resources.map(
        (r) =>
          `[resourceId('${r.type}', ${r.name
            .split('/')
            .map((n) => `'${n}'`)
            .join(', ')})]`,
      ),
    );
    for (const r of t.resources) {
      assert.match(r.apiVersion, /^\d{4}-\d{2}-\d{2}(-preview)?$/, r.name);
      for (const d of r.dependsOn ?? []) {
        if (d.includes("parameters('entraAdminObjectId')")) continue;
        assert.ok(ids.has(d), `${r.name} depends on ${d}, which the template defines`);
      }
    }
  });
});

describe('azure template: from config, not from the plan', () => {
  test('names and numbers follow the configuration', () => {
    const c = render({
      azure: {
        serverName: 'other-pg',
        sku: 'Standard_D8s_v3',
        skuMemoryGb: 32,
        storageGb: 512,
        version: '17',
        zone: '3',
        standbyZone: '1',
      },
      monitor: { alerts: { cpuPercent: { threshold: 70, severity: 1 }, memoryPercent: { enabled: false } } },
      backup: { logical: { retentionDays: 120 } },
    });
    const s = one(c, 'Microsoft.DBforPostgreSQL/flexibleServers', 'other-pg');
    assert.deepEqual(s.sku, { name: 'Standard_D8s_v3', tier: 'GeneralPurpose' });
    assert.equal(s.properties.version, '17');
    assert.equal(s.properties.storage.storageSizeGB, 512);
    assert.deepEqual(
      [s.properties.availabilityZone, s.properties.highAvailability.standbyAvailabilityZone],
      ['3', '1'],
    );
    assert.equal(one(c, 'Microsoft.DBforPostgreSQL/flexibleServers', 'other-pg-replica').location, 'koreasouth');
    assert.equal(
      one(c, 'Microsoft.DBforPostgreSQL/flexibleServers/configurations', 'other-pg/shared_buffers').properties.value,
      String((8 * 1024 * 1024) / 8),
    );
    const cpu = one(c, 'Microsoft.Insights/metricAlerts', 'other-pg-cpu_percent');
    assert.equal(cpu.properties.criteria.allOf[0].threshold, 70);
    assert.equal(cpu.properties.severity, 1);
    assert.equal(all(c, 'Microsoft.Insights/metricAlerts').length, 5, 'a disabled alert is not deployed');
    const [rule] = one(c, 'Microsoft.Storage/storageAccounts/managementPolicies').properties.policy.rules;
    assert.equal(rule.definition.actions.baseBlob.delete.daysAfterModificationGreaterThan, 120);
    assert.equal(
      (c.metadata.notes as string[]).filter((n) => n.includes('end of community support')).length,
      0,
      'no warning for 17',
    );
  });

  test('without HA the server has no highAvailability block (API 2025-08-01 has no "Disabled" mode)', () => {
    const s = one(
      render({ azure: { highAvailability: 'Disabled' } }),
      'Microsoft.DBforPostgreSQL/flexibleServers',
      SERVER,
    );
    assert.equal(s.properties.highAvailability, undefined);
  });

  test('PostgreSQL 14 is flagged only once its end of life has passed', () => {
    const before = render({}, new Date('2026-11-01T00:00:00Z'));
    assert.ok(!(before.metadata.notes as string[]).some((n) => n.includes('end of community support')));
    assert.ok(
      (t.metadata.notes as string[]).some((n) =>
        n.includes("PostgreSQL 14 (the plan's version) reached the end of community support on 2026-11-12"),
      ),
    );
  });

  test('the parameters file names the admin and the Entra admin id, never a password', () => {
    const p = renderParameters(
      loadConfig({ env: {}, overrides: { azure: { aadAdminObjectId: '3f1c2a9e-8d4b-4c1e-9a2f-5b6c7d8e9f01' } } }),
    );
    assert.deepEqual(Object.keys(p.parameters), ['administratorLogin', 'entraAdminObjectId']);
  });
});
