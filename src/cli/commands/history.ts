import type { Command } from 'commander';
import { primaryAs } from '../../platform/roleTargets.js';
import { openTopology } from '../../topology/open.js';
import { replayDeadLetters } from '../../service/history/replay.js';
import { commandConfig, globals } from '../context.js';
import { emit } from '../output.js';

export function registerHistoryCommands(program: Command): void {
  const history = program.command('history').description('inquiry history the service could not write');

  history
    .command('replay')
    .description(
      'write the dead-lettered history rows (<data-dir>/history/dead-letter.jsonl) again, after fixing why the database refused them',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const cfg = commandConfig(cmd);
      const r = await replayDeadLetters(cfg, await primaryAs(openTopology(cfg), 'app'));
      emit(r, globals(cmd), (x) =>
        [
          `replayed ${x.replayed} row(s); ${x.remaining} row(s) remain in ${x.file}`,
          ...x.failures.map((f) => `  request ${f.requestId}: SQLSTATE ${f.sqlstate} ${f.message}`),
          ...(x.remaining ? ['fix the cause (SQLSTATE and message above), then run history replay again'] : []),
        ].join('\n'),
      );
      // Rows still refused are a failure the operator must act on.
      if (!r.ok) process.exitCode = 1;
    });
}
