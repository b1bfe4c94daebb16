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
      'run the KOS mock server in the configured protocol (service.kosProtocol: design or phonebill-kos-mock); scenarios changeable at PUT /kos/admin/scenario',
    )
    .option('-p, --port <port>', 'port on 127.0.0.1 (default: service.kosMock.port, 0 = any free)', intOption('--port'))
    .addOption(
      new Option('--protocol <protocol>', 'wire protocol (default: service.kosProtocol)').choices([
        'design',
        'phonebill-kos-mock',
      ]),
    )
    .option('--latency-ms <ms>', 'delay before every answer', intOption('--latency-ms'))
    .addOption(
      new Option('--failure-rate <0..1>', 'share of calls answered with a system error').argParser(
        rate('--failure-rate'),
      ),
    )
    .addOption(
      new Option('--timeout-rate <0..1>', 'share of calls that hang for --hang-ms').argParser(rate('--timeout-rate')),
    )
    .option('--hang-ms <ms>', 'how long a "timeout" call hangs', intOption('--hang-ms'))
    .action(
      async (
        opts: {
          port?: number;
          protocol?: 'design' | 'phonebill-kos-mock';
          latencyMs?: number;
          failureRate?: number;
          timeoutRate?: number;
          hangMs?: number;
        },
        cmd: Command,
      ) => {
        const { protocol, ...mockOpts } = opts;
        const cfg = commandConfig(cmd, {
          service: {
            ...(protocol ? { kosProtocol: protocol } : {}),
            kosMock: Object.fromEntries(Object.entries(mockOpts).filter(([, v]) => v !== undefined)),
          },
        });
        const mock = await startKosMock(cfg.service.kosMock, {
          protocol: cfg.service.kosProtocol,
          timeZone: cfg.database.timezone,
        });
        emit(
          {
            ok: true,
            url: mock.url,
            protocol: mock.protocol,
            scenario: mock.scenario,
            admin: `${mock.url}${KOS_PATHS.admin}`,
          },
          globals(cmd),
          (r) => `KOS mock on ${r.url} (${r.protocol} protocol; scenario: PUT ${r.admin})`,
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
