import type { Config } from '../config/schema.js';
import type { ConnTarget } from '../db/connection.js';
import type { Logger } from 'pino';
import { maintainPartitions } from '../platform/partitions.js';
import { safeError } from './logSafe.js';

const DAY_MS = 86_400_000;

/**
 * Keeps monthly history partitions ahead of time (and drops expired ones): at
 * start, then daily. Needs an admin target — or a function that finds it each
 * time (the primary may have moved since the last run).
 */
export async function startPartitionJob(
  cfg: Readonly<Config>,
  admin: ConnTarget | (() => Promise<ConnTarget>),
  log: Logger,
): Promise<() => void> {
  const run = async () => {
    try {
      const r = await maintainPartitions(cfg, typeof admin === 'function' ? await admin() : admin);
      if (r.created.length || r.dropped.length)
        log.info({ created: r.created, dropped: r.dropped }, 'history partitions maintained');
    } catch (e) {
      log.error(
        { err: safeError(e) },
        'partition maintenance failed; history writes may fail when a month has no partition',
      );
    }
  };
  await run();
  const timer = setInterval(() => void run(), DAY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
