import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { renderHaproxyConfig } from '../../lb/haproxyConfig.js';
import { commandConfig, globals, intOption } from '../context.js';
import { emit, progress } from '../output.js';

const hostPort = (v: string, list: Array<{ host: string; port: number }> = []) => {
  const m = /^([^:]+):(\d+)$/.exec(v);
  if (!m) throw new InvalidArgumentError(`--instance must be HOST:PORT, got "${v}"`);
  return [...list, { host: m[1]!, port: Number(m[2]) }];
};

export function registerLbCommands(program: Command): void {
  const lb = program.command('lb').description('HAProxy in front of several service instances (scale-out, plan §7.2)');
  lb.command('config')
    .description('render haproxy.cfg for the service instances: round robin, health checks on GET /accepting')
    .option('-p, --port <port>', 'port HAProxy listens on (default lb.port, 8000)', intOption('--port'))
    .option('--instance <host:port>', 'a service instance (repeat; default lb.instances)', hostPort)
    .option('--write <file>', 'write the config to this file (default: print it)')
    .action(
      (opts: { port?: number; instance?: Array<{ host: string; port: number }>; write?: string }, cmd: Command) => {
        const cfg = commandConfig(cmd, {
          lb: { ...(opts.port ? { port: opts.port } : {}), ...(opts.instance ? { instances: opts.instance } : {}) },
        });
        const text = renderHaproxyConfig(cfg.lb, { drainMs: cfg.service.shutdownDrainMs });
        if (!opts.write) return void process.stdout.write(text);
        writeFileSync(opts.write, text);
        progress(
          `wrote ${opts.write}: check it with \`haproxy -c -f ${opts.write}\`, run it with \`haproxy -f ${opts.write}\``,
        );
        emit({ ok: true, file: opts.write, instances: cfg.lb.instances }, globals(cmd), (r) => r.file);
      },
    );
}
