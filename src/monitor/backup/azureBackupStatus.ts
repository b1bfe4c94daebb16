import { armServer } from '../../azure/clients/armTarget.js';
import { armCredential } from '../../azure/clients/credential.js';
import { Memo } from '../../azure/clients/memo.js';
import { newestServerBackup, type ServerBackup } from '../../azure/clients/serverBackups.js';
import type { Config } from '../../config/schema.js';
import { errorMessage } from '../../errors.js';
import type { BackupStatus } from './backupStatus.js';

/** Why an external server's backups cannot be seen without Azure. */
const NOT_MEASURED =
  'the database is external (service.database) and Azure is not configured (azure.subscriptionId): its backups are taken where it runs and are not visible here';

/**
 * Backups of an external target: the Flexible Server's own (automatic and
 * on-demand) from its backup list through ARM when Azure is configured, else
 * "not measured here" — never this machine's pgBackRest, which does not back
 * that server up.
 */
const answers = new Memo<ServerBackup | undefined>();

export async function externalBackupStatus(cfg: Readonly<Config>, now = new Date()): Promise<BackupStatus> {
  const server = armServer(cfg);
  if (!server) return { configured: false, repos: [], notMeasured: NOT_MEASURED };
  const repo = `azure:${server.serverName}`;
  try {
    const newest = await answers.get(server.resourceId, cfg.azure.armCacheS * 1000, () =>
      newestServerBackup(server, armCredential(cfg)),
    );
    if (!newest) return { configured: true, source: 'azure', repos: [{ repo, status: 'no completed backup' }] };
    return {
      configured: true,
      source: 'azure',
      repos: [
        {
          repo,
          status: `${newest.count} backup(s); newest ${newest.name}${newest.backupType ? ` (${newest.backupType})` : ''}`,
          lastSuccessAt: newest.completedAt,
        },
      ],
      lastSuccessAt: newest.completedAt,
      ageHours: (now.getTime() - Date.parse(newest.completedAt)) / 3_600_000,
    };
  } catch (e) {
    return { configured: true, source: 'azure', repos: [], error: `Azure backup list: ${errorMessage(e)}` };
  }
}
