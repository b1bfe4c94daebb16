import type { Config } from '../../config/schema.js';
import type { BackupStatus } from '../backup/backupStatus.js';
import type { ServerFigures } from '../host/serverFigures.js';
import type { CheckItem } from './item.js';

type Base = Pick<CheckItem, 'id' | 'plan' | 'title'>;

/** The one way to get an external server's figures here: Azure configured, the identity allowed to read them. */
const ENABLE_AZURE =
  'set azure.subscriptionId (and azure.clientId) so the figures come from Azure Monitor and ARM; `azure template` gives the identity Reader on the server — else check them where the server runs';

/** An item the tool cannot check from this machine: said so with the reason, never passed, never a figure of another machine. */
export const notMeasuredItem = (base: Base, reason: string): CheckItem => ({
  ...base,
  status: 'warn',
  detail: `not measured here: ${reason}`,
  action: ENABLE_AZURE,
});

/** Usage of an external server: what to do when its figures are not there. */
export function externalUsageAction(server: ServerFigures | undefined): string | undefined {
  if (!server) return undefined;
  if (server.source === 'none') return ENABLE_AZURE;
  return `Azure Monitor gave no figure for ${server.resource}${server.error ? ` (${server.error})` : ''}: check azure.subscriptionId, resourceGroup, serverName and the identity's Reader role on the server`;
}

/** §14.1 backup item of a Flexible Server: its own automatic backups, judged by the same age limit (§8.1, backupAgeH). */
export function azureBackupItem(cfg: Readonly<Config>, b: BackupStatus, base: Base): CheckItem {
  const maxH = cfg.monitor.alerts.backupAgeH.threshold;
  const repo = b.repos[0];
  if (b.ageHours === undefined)
    return {
      ...base,
      status: 'fail',
      detail: b.error ?? `no completed backup in the server's backup list (${repo?.repo ?? cfg.azure.serverName})`,
      action:
        'check the server (az postgres flexible-server backup list, the portal), its backup retention (azure.backupRetentionDays) and the identity’s Reader role',
    };
  return {
    ...base,
    status: b.ageHours >= maxH ? 'fail' : 'pass',
    detail: `last successful backup ${b.lastSuccessAt} (${b.ageHours.toFixed(1)} h ago, limit ${maxH} h) — Azure, ${repo?.repo}: ${repo?.status}`,
    action:
      'Azure takes the server’s backups itself: check its backup status and the service health in the portal (az postgres flexible-server backup list), take an on-demand backup, and open a support case if automatic backups stopped (§9.1)',
  };
}

/**
 * §14.1 capacity review of an external server: its disk is not this machine's,
 * so no trend is recorded here; Azure Monitor's storage_percent is reported
 * when there, and auto-grow (§2.1) is where the storage is planned.
 */
export function externalCapacityItem(base: Base, server: ServerFigures): CheckItem {
  if (server.source === 'none') return notMeasuredItem(base, server.notMeasured);
  return {
    ...base,
    status: 'warn',
    detail: `storage ${server.storagePercent === undefined ? 'not known' : `${server.storagePercent.toFixed(1)} %`} (Azure Monitor storage_percent of ${server.resource}); the growth trend is not recorded here`,
    action:
      'review the storage_percent chart of the server in Azure Monitor over the last 30 days; storage auto-grow (azure.storageAutoGrow, §2.1) must stay on',
  };
}
