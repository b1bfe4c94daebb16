import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { renderDeployScript } from '../../azure/deployScript.js';
import { azureServerParameters } from '../../azure/serverParameters.js';
import { commandConfig, globals } from '../context.js';
import { emit } from '../output.js';

export function registerAzureCommands(program: Command): void {
  const azure = program
    .command('azure')
    .description('the production target: Azure Database for PostgreSQL Flexible Server');

  azure
    .command('script')
    .description('the az CLI deployment script for the plan (§2, §3, §7.1, §12.3), generated from the configuration')
    .option('-o, --out <file>', 'write it to a file (mode 0755) instead of stdout')
    .action((opts: { out?: string }, cmd: Command) => {
      const script = renderDeployScript(commandConfig(cmd));
      if (!opts.out) return void process.stdout.write(script);
      writeFileSync(opts.out, script, { mode: 0o755 });
      emit({ ok: true, file: opts.out }, globals(cmd), (r) => `wrote ${r.file}`);
    });

  azure
    .command('parameters')
    .description('server parameters as Azure will be given them (names and Azure units)')
    .action((_opts: unknown, cmd: Command) => {
      const params = azureServerParameters(commandConfig(cmd));
      emit(Object.fromEntries(params), globals(cmd), () => params.map(([k, v]) => `${k.padEnd(30)} ${v}`).join('\n'));
    });
}
