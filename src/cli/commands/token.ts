import type { Command } from 'commander';
import { issueToken } from '../../service/auth/tokens.js';
import { commandConfig, globals, intOption } from '../context.js';
import { emit } from '../output.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerTokenCommands(program: Command): void {
  program
    .command('token')
    .description("issue a local development JWT (HS256, signed with this data dir's service secret)")
    .requiredOption('-u, --user <id>', 'user id the token names')
    .requiredOption('-l, --line <number>', 'phone line the user may see (repeatable)', collect)
    .option('--ttl <seconds>', 'lifetime in seconds (default service.jwt.ttlSeconds)', intOption('--ttl'))
    .action((opts: { user: string; line: string[]; ttl?: number }, cmd: Command) => {
      const cfg = commandConfig(cmd);
      const token = issueToken(cfg, { userId: opts.user, lines: opts.line, ttlSeconds: opts.ttl });
      emit({ ok: true, token }, globals(cmd), (r) => r.token);
    });
}
