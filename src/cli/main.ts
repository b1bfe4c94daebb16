import { Command, CommanderError } from 'commander';
import { registerAzureCommands } from './commands/azure.js';
import { registerClusterCommands } from './commands/cluster.js';
import { reportError } from './output.js';

/** Every command group registers itself here; each lives in its own file under commands/. */
const REGISTRARS: Array<(program: Command) => void> = [registerClusterCommands, registerAzureCommands];

export function buildProgram(): Command {
  const program = new Command('bill-inquiry')
    .description('Install, verify and operate the Bill-Inquiry database, and run the Bill-Inquiry service')
    .option('-c, --config <file>', 'JSON config file (default: ./bill-inquiry.config.json when present)')
    .option('-d, --data-dir <dir>', 'where clusters, certificates and secrets live (default: ./.data)')
    .option('--json', 'machine-readable output')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of REGISTRARS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander already printed its one-line message (unknown flag, missing argument…).
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = reportError(e, { json: argv.includes('--json') });
  }
}
