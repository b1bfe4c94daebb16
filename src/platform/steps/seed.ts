import type pg from 'pg';
import { systemConfigRows } from '../../config/systemConfigTable.js';
import type { StepContext } from '../context.js';
import { SEED_SYSTEM_CONFIG, SYSTEM_CONFIG_KEYS } from '../sql/catalog.js';

/** Seeds system_config with the SPEC values; rows already present (maybe changed by operators) are never overwritten. */
export async function seedSystemConfig(
  ctx: StepContext,
  db: pg.Client | undefined,
  tableExists: boolean,
): Promise<void> {
  const rows = systemConfigRows(ctx.cfg.systemConfig, ctx.cfg.database.retention);
  const present = new Set(
    db && tableExists ? (await db.query<{ config_key: string }>(SYSTEM_CONFIG_KEYS)).rows.map((r) => r.config_key) : [],
  );
  const missing = rows.filter((r) => !present.has(r.key));
  if (!missing.length) return;
  const values = [
    missing.map((r) => r.key),
    missing.map((r) => r.value),
    missing.map((r) => r.type),
    missing.map((r) => r.description),
  ];
  await ctx.change(
    db,
    { id: 'system_config:seed', action: 'insert', detail: missing.map((r) => `${r.key}=${r.value}`).join(', ') },
    [{ text: SEED_SYSTEM_CONFIG, values }],
  );
}
