import type { Config } from '../../config/schema.js';

/** What an ARM call about the primary server needs: where ARM is, which server, and whether Azure is configured at all. */
export interface ArmServer {
  subscriptionId: string;
  resourceGroup: string;
  serverName: string;
  /** `/subscriptions/…/flexibleServers/<name>`: how reports name the server. */
  resourceId: string;
  endpoint: string;
  /** Token audience of `endpoint`. */
  scope: string;
}

/** The primary Flexible Server as ARM knows it, or undefined when Azure is not configured (no azure.subscriptionId). */
export function armServer(cfg: Readonly<Config>): ArmServer | undefined {
  const a = cfg.azure;
  if (!a.subscriptionId) return undefined;
  const endpoint = a.armEndpoint.replace(/\/+$/, '');
  return {
    subscriptionId: a.subscriptionId,
    resourceGroup: a.resourceGroup,
    serverName: a.serverName,
    resourceId: `/subscriptions/${a.subscriptionId}/resourceGroups/${a.resourceGroup}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${a.serverName}`,
    endpoint,
    scope: `${endpoint}/.default`,
  };
}
