import type { TokenCredential } from '@azure/identity';
import type { ArmServer } from './armTarget.js';

/** The server's newest completed backup, as Azure lists it. */
export interface ServerBackup {
  name: string;
  completedAt: string;
  backupType?: string;
  source?: string;
  /** How many backups the list holds (the retention window, §2.3: 35 days). */
  count: number;
}

/**
 * The Flexible Server's backups through ARM (backupsAutomaticAndOnDemand.listByServer,
 * every page) and the newest completed one; undefined when there is none.
 */
export async function newestServerBackup(
  server: ArmServer,
  credential: TokenCredential,
): Promise<ServerBackup | undefined> {
  const { PostgreSQLManagementFlexibleServerClient } = await import('@azure/arm-postgresql-flexible');
  const client = new PostgreSQLManagementFlexibleServerClient(credential, server.subscriptionId, {
    $host: server.endpoint,
    endpoint: server.endpoint,
    credentialScopes: [server.scope],
  });
  let newest: ServerBackup | undefined;
  let count = 0;
  for await (const b of client.backupsAutomaticAndOnDemand.listByServer(server.resourceGroup, server.serverName)) {
    count++;
    if (!b.completedTime) continue;
    const at = b.completedTime.toISOString();
    if (!newest || at > newest.completedAt)
      newest = {
        name: b.name ?? '?',
        completedAt: at,
        ...(b.backupType ? { backupType: b.backupType } : {}),
        ...(b.source ? { source: b.source } : {}),
        count: 0,
      };
  }
  return newest && { ...newest, count };
}
