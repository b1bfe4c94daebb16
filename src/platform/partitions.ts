import type pg from 'pg';
import type { Config } from '../config/schema.js';
import type { ConnTarget } from '../db/connection.js';
import { withClient } from './connect.js';
import { ident, type Queryable } from './context.js';
import { MONTHS_AROUND, PARTITIONS_OF } from './sql/partitions.js';

/**
 * The two monthly-partitioned history tables, in drop order: KOS rows
 * reference bill rows, so KOS partitions (365 days) go before bill partitions
 * (730 days) and a bill partition is unreferenced by the time it is dropped.
 * `options` are the storage parameters each partition is created with: bill
 * partitions are vacuumed every `historyVacuumInsertRows` inserts, so the
 * history page's sort and count stay index-only (config database.historyVacuumInsertRows).
 */
export const historyTables = (cfg: Readonly<Config>) => [
  { table: 'kos_inquiry_history', retentionDays: cfg.database.retention.kosHistoryDays, options: [] as string[] },
  {
    table: 'bill_inquiry_history',
    retentionDays: cfg.database.retention.billHistoryDays,
    options: [
      `autovacuum_vacuum_insert_threshold=${cfg.database.historyVacuumInsertRows}`,
      'autovacuum_vacuum_insert_scale_factor=0',
    ],
  },
];

export interface PartitionSpec {
  table: string;
  name: string;
  lower: Date;
  upper: Date;
}

/** An attached partition, with its storage parameters (`reloptions`, e.g. `autovacuum_vacuum_insert_threshold=10000`). */
export interface AttachedPartition extends PartitionSpec {
  options: string[];
}

export interface MaintainResult {
  created: string[];
  dropped: string[];
  /** Expired partitions that could not go yet (e.g. still referenced), with why. */
  kept: Array<{ name: string; reason: string }>;
}

export async function attachedPartitions(db: Queryable, table: string): Promise<AttachedPartition[]> {
  const rows = (
    await db.query<{
      relname: string;
      reloptions: string[] | null;
      lower_bound: Date | null;
      upper_bound: Date | null;
    }>(PARTITIONS_OF, [`public.${table}`])
  ).rows;
  return rows
    .filter((r) => r.lower_bound && r.upper_bound)
    .map((r) => ({
      table,
      name: r.relname,
      lower: r.lower_bound!,
      upper: r.upper_bound!,
      options: r.reloptions ?? [],
    }));
}

/** The storage parameters a partition of `table` is created with (historyTables). */
export const partitionOptions = (cfg: Readonly<Config>, table: string): string[] =>
  historyTables(cfg).find((t) => t.table === table)?.options ?? [];

/** Attached partitions whose storage parameters lack what partitionOptions asks (created before it, or changed by hand). */
export async function partitionsMissingOptions(cfg: Readonly<Config>, db: Queryable): Promise<AttachedPartition[]> {
  const out: AttachedPartition[] = [];
  for (const { table, options } of historyTables(cfg)) {
    if (!options.length) continue;
    out.push(...(await attachedPartitions(db, table)).filter((p) => options.some((o) => !p.options.includes(o))));
  }
  return out;
}

/** ALTER TABLE … SET (…) of one partition's storage parameters, as the schema owner. */
export const setPartitionOptionsSql = (cfg: Readonly<Config>, p: PartitionSpec): string[] => [
  `SET ROLE ${ident(cfg.database.roles.admin)}`,
  `ALTER TABLE public.${ident(p.name)} SET (${partitionOptions(cfg, p.table).join(', ')})`,
  'RESET ROLE',
];

/** Month partitions that should exist around `now` (current month, partitionsBehind before, partitionsAhead after) but do not. */
export async function missingPartitions(cfg: Readonly<Config>, db: Queryable, now: Date): Promise<PartitionSpec[]> {
  const { partitionsAhead, partitionsBehind } = cfg.database.retention;
  const months = (
    await db.query<{ suffix: string; lower_bound: Date; upper_bound: Date }>(MONTHS_AROUND, [
      now,
      cfg.database.timezone,
      partitionsBehind,
      partitionsAhead,
    ])
  ).rows;
  const missing: PartitionSpec[] = [];
  for (const { table } of [...historyTables(cfg)].reverse()) {
    const have = new Set((await attachedPartitions(db, table)).map((p) => p.lower.getTime()));
    for (const m of months.filter((m) => !have.has(m.lower_bound.getTime()))) {
      missing.push({ table, name: `${table}_${m.suffix}`, lower: m.lower_bound, upper: m.upper_bound });
    }
  }
  return missing;
}

/** True when every row a partition can hold is older than `retentionDays` at `now` (its upper bound is exclusive). */
export const isExpired = (p: Pick<PartitionSpec, 'upper'>, retentionDays: number, now: Date): boolean =>
  p.upper.getTime() <= now.getTime() - retentionDays * 86_400_000;

/** Partitions entirely older than their table's retention, KOS first. */
export async function expiredPartitions(cfg: Readonly<Config>, db: Queryable, now: Date): Promise<PartitionSpec[]> {
  const out: PartitionSpec[] = [];
  for (const { table, retentionDays } of historyTables(cfg)) {
    out.push(...(await attachedPartitions(db, table)).filter((p) => isExpired(p, retentionDays, now)));
  }
  return out;
}

/** Statements creating one partition as the schema owner (so default privileges give it the plan's grants). */
export function createPartitionSql(cfg: Readonly<Config>, p: PartitionSpec): string[] {
  const options = partitionOptions(cfg, p.table);
  return [
    `SET ROLE ${ident(cfg.database.roles.admin)}`,
    `CREATE TABLE IF NOT EXISTS public.${ident(p.name)} PARTITION OF public.${ident(p.table)} FOR VALUES FROM ('${p.lower.toISOString()}') TO ('${p.upper.toISOString()}')` +
      (options.length ? ` WITH (${options.join(', ')})` : ''),
    'RESET ROLE',
  ];
}

/**
 * Detach then drop: dropping a partition of a referenced table directly is
 * refused, and DETACH proves no KOS row still references it. A partition that
 * is still referenced stays, and says why.
 */
async function dropPartition(cfg: Readonly<Config>, db: pg.Client, p: PartitionSpec): Promise<string | undefined> {
  await db.query('BEGIN');
  try {
    await db.query(`SET LOCAL ROLE ${ident(cfg.database.roles.admin)}`);
    await db.query(`ALTER TABLE public.${ident(p.table)} DETACH PARTITION public.${ident(p.name)}`);
    await db.query(`DROP TABLE public.${ident(p.name)}`);
    await db.query('COMMIT');
    return undefined;
  } catch (e) {
    await db.query('ROLLBACK');
    const err = e as { code?: string; message?: string };
    if (err.code === '23503') return `still referenced by kos_inquiry_history rows: ${err.message}`;
    throw e;
  }
}

/** Creates the partitions due around `now` and drops those past retention (`db maintain`; the service runs it at start and daily). */
export async function maintainPartitions(
  cfg: Readonly<Config>,
  admin: ConnTarget,
  now: Date = new Date(),
): Promise<MaintainResult> {
  return withClient(cfg, admin, cfg.database.name, async (db) => {
    const result: MaintainResult = { created: [], dropped: [], kept: [] };
    for (const p of await missingPartitions(cfg, db, now)) {
      for (const sql of createPartitionSql(cfg, p)) await db.query(sql);
      result.created.push(p.name);
    }
    for (const p of await expiredPartitions(cfg, db, now)) {
      const reason = await dropPartition(cfg, db, p);
      if (reason) result.kept.push({ name: p.name, reason });
      else result.dropped.push(p.name);
    }
    return result;
  });
}
