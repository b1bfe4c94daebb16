import type {
  ActionGroupResource,
  DiagnosticSettingsResource,
  KnownAggregationTypeEnum,
  KnownOperator,
  MetricAlertResource,
  MetricAlertSingleResourceMultipleMetricCriteria,
  MetricCriteria,
} from '@azure/arm-monitor';
import type { KnownWorkspaceSkuNameEnum, Workspace, WorkspaceSku } from '@azure/arm-operationalinsights';
import { replicaServerName } from '../../config/sections/azure.js';
import type { AlertName } from '../../config/sections/monitor.js';
import type { Config } from '../../config/schema.js';
import { API_VERSIONS } from './apiVersions.js';
import {
  renamed,
  resourceId,
  type ArmProperties,
  type ArmResource,
  type Envelope,
  type Known,
  type Narrow,
} from './armTypes.js';
import { serverId } from './server.js';

/** The workspace carries its sku inside `properties` (unlike most resources). */
type WorkspaceProperties = Narrow<
  ArmProperties<Workspace, Exclude<Envelope, 'sku'>>,
  { sku: Narrow<WorkspaceSku, { name: Known<KnownWorkspaceSkuNameEnum> }> }
>;
type Criterion = Narrow<
  MetricCriteria,
  { timeAggregation: Known<KnownAggregationTypeEnum>; operator: Known<KnownOperator> }
>;
type AlertProperties = Narrow<
  ArmProperties<MetricAlertResource>,
  { criteria: Record<string, unknown>; severity: 0 | 1 | 2 | 3 | 4 }
>;

const WINDOWS: Array<[number, string]> = [
  [60, 'PT1M'],
  [300, 'PT5M'],
  [900, 'PT15M'],
  [1800, 'PT30M'],
  [3600, 'PT1H'],
];

/** Prometheus `for:` → the smallest Azure window that covers it (at least a minute). */
export const windowFor = (forS: number): string => WINDOWS.find(([s]) => s >= forS)?.[1] ?? 'PT1H';

/**
 * §8.1 thresholds as Flexible Server platform metrics. A threshold that must
 * hold for a while (`for:` in the Prometheus rules) is the window's Minimum
 * (it stayed at or above the line the whole window); a count per minute is
 * the minute's Total. Values and §14.2 severities come from monitor.alerts,
 * the same keys the self-hosted Prometheus rules use.
 */
export function metricAlertSpecs(cfg: Readonly<Config>): Array<{
  key: AlertName;
  metric: string;
  threshold: number;
  aggregation: Known<KnownAggregationTypeEnum>;
  window: string;
  severity: 1 | 2 | 3;
  description: string;
  /** The server the metric belongs to: the primary, or the read replica (its lag). */
  server: string;
}> {
  const al = cfg.monitor.alerts;
  const held = (key: AlertName, metric: string, threshold: number, server = cfg.azure.serverName) => ({
    key,
    metric,
    threshold,
    aggregation: 'Minimum' as const,
    window: windowFor(al[key].forS),
    severity: al[key].severity,
    description: `§8.1 ${metric} ≥ ${threshold} for ${windowFor(al[key].forS)}: ${al[key].action}`,
    server,
  });
  const connections = Math.round((al.connectionsPercent.threshold / 100) * cfg.server.maxConnections);
  const specs = [
    held('cpuPercent', 'cpu_percent', al.cpuPercent.threshold),
    held('memoryPercent', 'memory_percent', al.memoryPercent.threshold),
    held('diskPercent', 'storage_percent', al.diskPercent.threshold),
    held('connectionsPercent', 'active_connections', connections),
    {
      key: 'failedConnectionsPerMin' as const,
      metric: 'connections_failed',
      threshold: al.failedConnectionsPerMin.threshold,
      aggregation: 'Total' as const,
      window: 'PT1M',
      severity: al.failedConnectionsPerMin.severity,
      description: `§8.1 connections_failed ≥ ${al.failedConnectionsPerMin.threshold} per minute: ${al.failedConnectionsPerMin.action}`,
      server: cfg.azure.serverName,
    },
    // The cross-region read replica's lag (§9.2 region failure: what it would lose), on the replica itself.
    held(
      'replicationLagS',
      'physical_replication_delay_in_seconds',
      al.replicationLagS.threshold,
      replicaServerName(cfg.azure),
    ),
  ];
  return specs.filter((s) => al[s.key].enabled);
}

/**
 * §8.2/§10.3 logs and §8.1 alerts: the Log Analytics workspace, diagnostic
 * settings on both servers (PostgreSQLLogs holds the server log, so pgaudit's
 * AUDIT lines go there too), an action group and one metric alert per §8.1
 * threshold on the primary. The §8.1 response-time threshold has no server
 * metric: it is the service's own histogram, alerted by the Prometheus rule
 * BillInquiryResponseSlow (`bill-inquiry monitor rules`).
 */
export function monitoringResources(cfg: Readonly<Config>): ArmResource[] {
  const a = cfg.azure;
  const la = a.logAnalytics;
  const workspaceId = resourceId('Microsoft.OperationalInsights/workspaces', la.workspaceName);
  const workspace: WorkspaceProperties = {
    sku: { name: 'PerGB2018' },
    retentionInDays: la.retentionDays,
    features: { enableLogAccessUsingOnlyResourcePermissions: true },
  };
  const diagnostics = (server: string): ArmResource => {
    const properties: ArmProperties<DiagnosticSettingsResource> = {
      workspaceId,
      logs: la.logCategories.map((category) => ({ category, enabled: true })),
      metrics: [{ category: 'AllMetrics', enabled: true }],
    };
    return {
      type: 'Microsoft.Insights/diagnosticSettings',
      apiVersion: API_VERSIONS['Microsoft.Insights/diagnosticSettings'],
      scope: `Microsoft.DBforPostgreSQL/flexibleServers/${server}`,
      name: `${server}-to-log-analytics`,
      properties,
      dependsOn: [serverId(server), workspaceId],
    };
  };
  const group: ArmProperties<ActionGroupResource> = {
    groupShortName: a.alerts.actionGroupShortName,
    enabled: true,
    emailReceivers: a.alerts.emails.map((emailAddress, i) => ({
      name: `oncall-${i + 1}`,
      emailAddress,
      useCommonAlertSchema: true,
    })),
  };
  const groupId = resourceId('Microsoft.Insights/actionGroups', a.alerts.actionGroupName);
  const alerts = metricAlertSpecs(cfg).map((s): ArmResource => {
    const criterion: Criterion = {
      criterionType: 'StaticThresholdCriterion',
      name: s.metric,
      metricName: s.metric,
      metricNamespace: 'Microsoft.DBforPostgreSQL/flexibleServers',
      operator: 'GreaterThanOrEqual',
      threshold: s.threshold,
      timeAggregation: s.aggregation,
    };
    const criteria: MetricAlertSingleResourceMultipleMetricCriteria = {
      odataType: 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria',
      allOf: [criterion],
    };
    const properties: AlertProperties = {
      description: s.description,
      // §14.2 severity N is Azure severity N (1 Error, 2 Warning, 3 Informational): the same rank, the same number.
      severity: s.severity,
      enabled: true,
      scopes: [serverId(s.server)],
      evaluationFrequency: a.alerts.evaluationFrequency,
      windowSize: s.window,
      criteria: renamed(criteria, { odataType: 'odata.type' }),
      autoMitigate: true,
      actions: [{ actionGroupId: groupId }],
    };
    return {
      type: 'Microsoft.Insights/metricAlerts',
      apiVersion: API_VERSIONS['Microsoft.Insights/metricAlerts'],
      name: `${s.server}-${s.metric}`,
      location: 'global',
      properties,
      dependsOn: [serverId(s.server), groupId],
    };
  });
  return [
    {
      type: 'Microsoft.OperationalInsights/workspaces',
      apiVersion: API_VERSIONS['Microsoft.OperationalInsights/workspaces'],
      name: la.workspaceName,
      location: a.location,
      properties: workspace,
    },
    diagnostics(a.serverName),
    diagnostics(replicaServerName(a)),
    {
      type: 'Microsoft.Insights/actionGroups',
      apiVersion: API_VERSIONS['Microsoft.Insights/actionGroups'],
      name: a.alerts.actionGroupName,
      location: 'global',
      properties: group,
    },
    ...alerts,
  ];
}
