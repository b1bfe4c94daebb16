import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { startKosMock } from '../../kos/mock/server.js';
import { KOS_PATHS } from '../../kos/protocol.js';
import { commandConfig, globals, intOption } from '../context.js';
import { emit, progress } from '../output.js';

const rate =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError(`${name} must be between 0 and 1, got "${v}"`);
    return n;
  };

export function registerKosCommands(program: Command): void {
  program
    .command('kos-mock')
    .description(
      'run the KOS mock server (bill inquiry, customer info; scenarios changeable at PUT /kos/admin/scenario)',
    )
    .option('-p, --port <port>', 'port on 127.0.0.1 (default: service.kosMock.port, 0 = any free)', intOption('--port'))
    .option('--latency-ms <ms>', 'delay before every answer', intOption('--latency-ms'))
    .addOption(new Option('--failure-rate <0..1>', 'share of calls answered E999').argParser(rate('--failure-rate')))
    .addOption(
      new Option('--timeout-rate <0..1>', 'share of calls that hang for --hang-ms').argParser(rate('--timeout-rate')),
    )
    .option('--hang-ms <ms>', 'how long a "timeout" call hangs', intOption('--hang-ms'))
    .action(
      async (
        opts: { port?: number; latencyMs?: number; failureRate?: number; timeoutRate?: number; hangMs?: number },
        cmd: Command,
      ) => {
        const cfg = commandConfig(cmd, {
          service: { kosMock: Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) },
        });
        const mock = await startKosMock(cfg.service.kosMock);
        emit(
          { ok: true, url: mock.url, scenario: mock.scenario, admin: `${mock.url}${KOS_PATHS.admin}` },
          globals(cmd),
          (r) => `KOS mock on ${r.url} (scenario: PUT ${r.admin})`,
        );
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        progress('stopping KOS mock');
        await mock.close();
      },
    );
}
