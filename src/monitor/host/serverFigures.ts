import { armServer } from '../../azure/clients/armTarget.js';
import { armCredential } from '../../azure/clients/credential.js';
import { Memo } from '../../azure/clients/memo.js';
import { serverMetrics, type ServerMetrics } from '../../azure/clients/serverMetrics.js';
import type { Config } from '../../config/schema.js';
import { errorMessage } from '../../errors.js';

/**
 * The database server's CPU, memory and storage when it is not this machine
 * (the external topology): from Azure Monitor when Azure is configured, else
 * explicitly not measured — never the figures of the machine the tool runs on.
 */
export type ServerFigures =
  | ({ source: 'azure-monitor'; resource: string; error?: string } & ServerMetrics)
  | { source: 'none'; notMeasured: string };

/** Why an external server's figures cannot be had without Azure: said wherever a figure would be. */
export const NOT_MEASURED_EXTERNAL =
  'the database is external (service.database) and Azure is not configured (azure.subscriptionId): the server runs elsewhere, and this machine’s figures are not its figures';

const answers = new Memo<ServerMetrics>();

export async function externalServerFigures(cfg: Readonly<Config>, now = new Date()): Promise<ServerFigures> {
  const server = armServer(cfg);
  if (!server) return { source: 'none', notMeasured: NOT_MEASURED_EXTERNAL };
  try {
    const m = await answers.get(server.resourceId, cfg.azure.armCacheS * 1000, () =>
      serverMetrics(server, armCredential(cfg), cfg.azure.metricsLookbackMinutes, now),
    );
    return { source: 'azure-monitor', resource: server.resourceId, ...m };
  } catch (e) {
    return { source: 'azure-monitor', resource: server.resourceId, error: `Azure Monitor: ${errorMessage(e)}` };
  }
}
