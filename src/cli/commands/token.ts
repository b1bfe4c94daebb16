import type { Command } from 'commander';
import { Option } from 'commander';
import { issueToken, type TokenFormat } from '../../service/auth/tokens.js';
import { commandConfig, globals, intOption } from '../context.js';
import { emit } from '../output.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerTokenCommands(program: Command): void {
  program
    .command('token')
    .description(
      "issue a local JWT the service accepts: ours (HS256, this data dir's secret) or the phonebill Auth service's (HS512, JWT_SECRET)",
    )
    .requiredOption('-u, --user <id>', 'user id the token names')
    .requiredOption('-l, --line <number>', 'phone line the user may see (repeatable; phonebill: exactly one)', collect)
    .option(
      '-c, --customer <id>',
      'customer id the token names (shown by GET /bills/menu; required with --format phonebill)',
    )
    .addOption(
      new Option('--format <format>', 'token shape: ours (lines[]) or phonebill (lineNumber, type ACCESS)')
        .choices(['bill-inquiry', 'phonebill'])
        .default('bill-inquiry'),
    )
    .option(
      '--ttl <seconds>',
      'lifetime in seconds (default service.jwt.ttlSeconds / phonebill.ttlSeconds)',
      intOption('--ttl'),
    )
    .action(
      (opts: { user: string; line: string[]; customer?: string; format: TokenFormat; ttl?: number }, cmd: Command) => {
        const cfg = commandConfig(cmd);
        const token = issueToken(cfg, {
          userId: opts.user,
          lines: opts.line,
          customerId: opts.customer,
          format: opts.format,
          ttlSeconds: opts.ttl,
        });
        emit({ ok: true, format: opts.format, token }, globals(cmd), (r) => r.token);
      },
    );
}
