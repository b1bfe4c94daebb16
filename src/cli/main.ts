import { Command, CommanderError } from 'commander';
import { registerAzureCommands } from './commands/azure.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerCheckCommands } from './commands/check.js';
import { registerClusterCommands } from './commands/cluster.js';
import { registerDrillCommands } from './commands/drill.js';
import { registerDbCommands } from './commands/db.js';
import { registerHistoryCommands } from './commands/history.js';
import { registerK8sCommands } from './commands/k8s.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerKosCommands } from './commands/kos.js';
import { registerLbCommands } from './commands/lb.js';
import { registerMonitorCommands } from './commands/monitor.js';
import { registerServeCommands } from './commands/serve.js';
import { registerTokenCommands } from './commands/token.js';
import { registerRestoreCommands } from './commands/restore.js';
import { reportError } from './output.js';

/** Every command group registers itself here; each lives in its own file under commands/. */
const REGISTRARS: Array<(program: Command) => void> = [
  registerClusterCommands,
  registerDbCommands,
  registerAzureCommands,
  registerK8sCommands,
  registerServeCommands,
  registerTokenCommands,
  registerKosCommands,
  registerKeysCommands,
  registerMonitorCommands,
  registerCheckCommands,
  registerBackupCommands,
  registerRestoreCommands,
  registerDrillCommands,
  registerHistoryCommands,
  registerLbCommands,
];

export function buildProgram(): Command {
  const program = new Command('bill-inquiry')
    .description('Install, verify and operate the Bill-Inquiry database, and run the Bill-Inquiry service')
    .option('-c, --config <file>', 'JSON config file (default: ./bill-inquiry.config.json when present)')
    .option('-d, --data-dir <dir>', 'where clusters, certificates and secrets live (default: ./.data)')
    .option('--json', 'machine-readable output')
    .option('-v, --verbose', 'on failure, also print the cause chain and stack')
    // One line that says what went wrong and where to look, for every usage error.
    .configureOutput({ outputError: (msg, write) => write(`${msg.trimEnd()} (see --help)\n`) })
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
    process.exitCode = reportError(e, {
      json: argv.includes('--json'),
      verbose: argv.includes('--verbose') || argv.includes('-v'),
    });
  }
}
