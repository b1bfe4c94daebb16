import type pg from 'pg';
import type { StepContext } from '../context.js';
import {
  createPartitionSql,
  missingPartitions,
  partitionOptions,
  partitionsMissingOptions,
  setPartitionOptionsSql,
} from '../partitions.js';

/** Monthly partitions of both history tables around now (the service keeps them coming via maintainPartitions). */
export async function ensurePartitions(
  ctx: StepContext,
  db: pg.Client | undefined,
  tablesExist: boolean,
  now: Date,
): Promise<void> {
  if (!db || !tablesExist) {
    await ctx.change(
      undefined,
      {
        id: 'partitions',
        action: 'create',
        detail: `current month, ${ctx.cfg.database.retention.partitionsBehind} behind, ${ctx.cfg.database.retention.partitionsAhead} ahead`,
      },
      [],
    );
    return;
  }
  for (const p of await missingPartitions(ctx.cfg, db, now)) {
    await ctx.change(
      db,
      { id: `partition:${p.name}`, action: 'create', detail: `${p.lower.toISOString()} … ${p.upper.toISOString()}` },
      createPartitionSql(ctx.cfg, p),
    );
  }
  for (const p of await partitionsMissingOptions(ctx.cfg, db)) {
    await ctx.change(
      db,
      { id: `partition:${p.name}:options`, action: 'set', detail: partitionOptions(ctx.cfg, p.table).join(', ') },
      setPartitionOptionsSql(ctx.cfg, p),
    );
  }
}
