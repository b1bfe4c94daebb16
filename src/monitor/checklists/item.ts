export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One §14.1 checklist item as the machine checked it. */
export interface CheckItem {
  id: string;
  /** The plan's wording (§14.1) and its English gloss. */
  plan: string;
  title: string;
  status: CheckStatus;
  detail: string;
  /** What to do when it is not `pass`. */
  action?: string;
}

export interface ChecklistResult {
  ok: boolean;
  checklist: 'daily' | 'weekly' | 'monthly';
  at: string;
  summary: Record<CheckStatus, number>;
  items: CheckItem[];
}

export function checklistResult(checklist: ChecklistResult['checklist'], items: CheckItem[]): ChecklistResult {
  const summary = { pass: 0, warn: 0, fail: 0 };
  items.forEach((i) => summary[i.status]++);
  // An action is advice for something to fix: a passing item has none.
  const shown = items.map(({ action, ...i }) => (i.status === 'pass' || !action ? i : { ...i, action }));
  return { ok: summary.fail === 0, checklist, at: new Date().toISOString(), summary, items: shown };
}

/** Worst of several statuses. */
export const worst = (...s: CheckStatus[]): CheckStatus =>
  s.includes('fail') ? 'fail' : s.includes('warn') ? 'warn' : 'pass';

export function renderMarkdown(r: ChecklistResult): string {
  const icon = { pass: '✅', warn: '⚠️', fail: '❌' };
  const lines = [
    `# ${r.checklist} checklist — ${r.at}`,
    '',
    `${r.summary.pass} pass, ${r.summary.warn} warn, ${r.summary.fail} fail`,
    '',
    '| | item | result | what to do |',
    '|---|---|---|---|',
  ];
  for (const i of r.items)
    lines.push(
      `| ${icon[i.status]} | ${i.plan} — ${i.title} | ${i.detail.replace(/\|/g, '\\|')} | ${(i.action ?? '').replace(/\|/g, '\\|')} |`,
    );
  return lines.join('\n');
}

export function renderText(r: ChecklistResult): string {
  const lines = r.items.map(
    (i) =>
      `${i.status.toUpperCase().padEnd(4)}  ${i.title}: ${i.detail}${i.action && i.status !== 'pass' ? `\n      → ${i.action}` : ''}`,
  );
  return [...lines, `${r.checklist}: ${r.summary.pass} pass, ${r.summary.warn} warn, ${r.summary.fail} fail`].join(
    '\n',
  );
}
