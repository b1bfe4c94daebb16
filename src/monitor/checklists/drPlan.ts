import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckItem } from './item.js';

const DAY_MS = 86_400_000;

/** The package root, from src/monitor/checklists or dist/monitor/checklists alike. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The §9.2 scenarios a DR plan must cover, as headings or text. */
export const DR_SCENARIOS: ReadonlyArray<[name: string, pattern: RegExp]> = [
  ['primary failure', /primary (server )?failure/i],
  ['region failure', /region(al)? failure/i],
  ['data corruption', /data corruption/i],
];

/**
 * Where the DR plan is: the configured path as given (absolute, or relative
 * to the working directory: an operator's own plan), else relative to the
 * package root, where the project's runbook ships — so `check monthly` finds
 * docs/disaster-recovery.md from any directory.
 */
export function locateDrPlan(file: string, cwd = process.cwd()): string {
  if (path.isAbsolute(file)) return file;
  const here = path.resolve(cwd, file);
  if (existsSync(here)) return here;
  const shipped = path.join(PACKAGE_ROOT, file);
  return existsSync(shipped) ? shipped : here;
}

/**
 * When the plan was last reviewed: its `Last reviewed: YYYY-MM-DD` line (a
 * checkout sets every file's mtime to the clone time, which says nothing), else
 * the file's modification time.
 */
export function reviewedAt(text: string, mtime: Date): { at: Date; from: 'review line' | 'file time' } {
  const m = /Last reviewed:\s*\**\s*(\d{4}-\d{2}-\d{2})/i.exec(text);
  const at = m ? new Date(`${m[1]}T00:00:00Z`) : undefined;
  return at && !Number.isNaN(at.getTime()) ? { at, from: 'review line' } : { at: mtime, from: 'file time' };
}

/** §14.1 monthly "재해복구 계획 업데이트": the plan exists, covers the §9.2 scenarios, and was reviewed within `maxAgeDays`. */
export function drPlanCheck(file: string, maxAgeDays: number, now = new Date()): CheckItem {
  const base = { id: 'dr-plan', plan: '재해복구 계획 업데이트', title: 'disaster-recovery plan freshness' };
  const found = locateDrPlan(file);
  if (!existsSync(found))
    return {
      ...base,
      status: 'warn',
      detail: `no DR plan at ${found}`,
      action: 'write the DR runbook (§9.2 scenarios, RTO 30 min / RPO 5 min) and set monitor.checks.drPlanFile',
    };
  const text = readFileSync(found, 'utf8');
  const missing = DR_SCENARIOS.filter(([, p]) => !p.test(text)).map(([name]) => name);
  const review = reviewedAt(text, statSync(found).mtime);
  const ageDays = Math.max(0, (now.getTime() - review.at.getTime()) / DAY_MS);
  const stale = ageDays > maxAgeDays;
  return {
    ...base,
    status: stale || missing.length ? 'warn' : 'pass',
    detail: [
      `${found} last reviewed ${review.at.toISOString().slice(0, 10)} (${review.from}), ${ageDays.toFixed(0)} days ago (review every ${maxAgeDays} days)`,
      missing.length
        ? `no procedure for: ${missing.join(', ')}`
        : 'covers primary failure, region failure, data corruption',
    ].join('; '),
    action: missing.length
      ? `add the missing §9.2 scenarios (${missing.join(', ')}) with their commands and measured RTO/RPO`
      : 'review the DR plan against the last drills, update its figures and its "Last reviewed:" date',
  };
}
