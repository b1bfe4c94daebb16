import { dumpContainer, dumpContainerConfigured } from '../../azure/clients/dumpContainer.js';
import { DUMP_SUFFIX } from '../../backup/logical.js';
import type { Config } from '../../config/schema.js';
import { errorMessage } from '../../errors.js';

/** §9.1 weekly logical dumps in the Blob container, as `check weekly` and the monitor see them. */
export interface LogicalDumpStatus {
  /** The container's URL (no SAS). */
  container: string;
  count: number;
  newest?: { name: string; at: string; bytes: number; ageHours: number };
  error?: string;
}

/**
 * The newest `<database>-….dump.enc` in the dump container and its age, or
 * undefined when no container is configured (azure.logicalBackup.accountUrl
 * or azure.subscriptionId). A listing that fails is reported, not thrown:
 * the monitor must not stop over one unreachable account.
 */
export async function logicalDumpStatus(
  cfg: Readonly<Config>,
  now = new Date(),
): Promise<LogicalDumpStatus | undefined> {
  if (!dumpContainerConfigured(cfg)) return undefined;
  let container = '';
  try {
    // Two tries, not the SDK's four with back-off: a snapshot must come back within the monitor's cadence.
    const c = dumpContainer(cfg, { retryOptions: { maxTries: 2, tryTimeoutInMs: 15_000 } });
    container = c.url;
    let count = 0;
    let newest: LogicalDumpStatus['newest'];
    for await (const b of c.client.listBlobsFlat({ prefix: `${cfg.database.name}-` })) {
      if (!b.name.endsWith(DUMP_SUFFIX)) continue;
      count++;
      const at = b.properties.lastModified.toISOString();
      if (!newest || at > newest.at)
        newest = {
          name: b.name,
          at,
          bytes: b.properties.contentLength ?? 0,
          ageHours: (now.getTime() - b.properties.lastModified.getTime()) / 3_600_000,
        };
    }
    return { container, count, ...(newest ? { newest } : {}) };
  } catch (e) {
    return { container, count: 0, error: errorMessage(e) };
  }
}
