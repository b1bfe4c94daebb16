import type { Config } from '../../config/schema.js';
import { collectSnapshot } from '../snapshot.js';
import { dailyChecks } from './daily.js';
import { checklistResult, type ChecklistResult } from './item.js';
import { monthlyChecks } from './monthly.js';
import { weeklyChecks } from './weekly.js';

export type ChecklistName = ChecklistResult['checklist'];

/** Runs one §14.1 checklist against the live cluster. */
export async function runChecklist(cfg: Readonly<Config>, name: ChecklistName): Promise<ChecklistResult> {
  const s = await collectSnapshot(cfg);
  const items =
    name === 'daily'
      ? await dailyChecks(cfg, s)
      : name === 'weekly'
        ? await weeklyChecks(cfg, s)
        : await monthlyChecks(cfg, s);
  return checklistResult(name, items);
}
