import type { Command } from 'commander';
import { renderMarkdown, renderText } from '../../monitor/checklists/item.js';
import { runChecklist } from '../../monitor/checklists/runChecklist.js';
import { commandConfig, globals } from '../context.js';
import { emit } from '../output.js';

export function registerCheckCommands(program: Command): void {
  const check = program
    .command('check')
    .description('the §14.1 operations checklists, checked against the live cluster');
  for (const [name, what] of [
    ['daily', 'server, CPU/memory/disk, backup, slow queries, error log, connections'],
    ['weekly', 'failover test, restore test, statistics, security patches, capacity trend'],
    ['monthly', 'performance review, cost estimate, DR plan, security audit'],
  ] as const) {
    check
      .command(name)
      .description(what)
      .option('--markdown', 'Markdown table (for a ticket or wiki)')
      .action(async (opts: { markdown?: boolean }, cmd: Command) => {
        const result = await runChecklist(commandConfig(cmd), name);
        emit(result, globals(cmd), opts.markdown ? renderMarkdown : renderText);
        if (!result.ok) process.exitCode = 1;
      });
  }
}
