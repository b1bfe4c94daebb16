import { Option, type Command } from 'commander';
import { chaosDrill } from '../../drill/chaos/chaosDrill.js';
import { BillInquiryError } from '../../errors.js';
import { failoverDrill, type CrashKind } from '../../drill/failover.js';
import { pitrDrill } from '../../drill/pitr.js';
import { restoreDrill } from '../../drill/restore.js';
import { commandConfig, globals, intOption } from '../context.js';
import { emit, progress } from '../output.js';

/** Prints a drill's figures; a missed target is a non-zero exit. */
function report<T extends { ok: boolean }>(cmd: Command, r: T): void {
  emit(r, globals(cmd), (x) =>
    Object.entries(x)
      .map(([k, v]) => `${k.padEnd(28)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join('\n'),
  );
  if (!r.ok) process.exitCode = 1;
}

export function registerDrillCommands(program: Command): void {
  const drill = program
    .command('drill')
    .description('real recovery drills that measure failover, chaos, PITR and full restore');

  drill
    .command('failover')
    .description(
      'kill -9 the leader (its postmaster, or the whole node) under write load; seconds unavailable, acknowledged writes lost, failed requests',
    )
    .option('--writers <n>', 'concurrent writers', intOption('--writers'))
    .addOption(
      new Option(
        '--via <load>',
        'service: the Bill-Inquiry service under HTTP load; direct: INSERTs through the locator',
      )
        .choices(['service', 'direct'])
        .default('service'),
    )
    .addOption(
      new Option(
        '--crash <what>',
        'postgres: the leader postmaster; node: its Patroni too (restarted after the failover)',
      )
        .choices(['postgres', 'node'])
        .default('postgres'),
    )
    .action(async (opts: { writers?: number; via?: 'service' | 'direct'; crash?: CrashKind }, cmd: Command) => {
      progress(
        `failover drill: load, kill -9 the leader ${opts.crash === 'node' ? 'node (Patroni and postmaster)' : 'postmaster'}, measure`,
      );
      report(cmd, await failoverDrill(commandConfig(cmd), opts));
    });

  drill
    .command('chaos')
    .description(
      'the service under inquiry load while PostgreSQL is killed and stalled, the service killed and KOS fails, at random; every acknowledged inquiry looked up in the database',
    )
    .option('--duration <s>', 'seconds of load (default 60; at least one fault of each kind)', intOption('--duration'))
    .option('--clients <n>', 'concurrent inquiry clients (default 8)', intOption('--clients'))
    .option(
      '--instances <n>',
      'service instances (default 1); more run behind HAProxy, which the load goes through',
      intOption('--instances'),
    )
    .action(async (opts: { duration?: number; clients?: number; instances?: number }, cmd: Command) => {
      for (const [flag, v] of [
        ['--clients', opts.clients],
        ['--instances', opts.instances],
      ] as const)
        if (v === 0) throw new BillInquiryError('USAGE', `${flag} must be at least 1`, `pass ${flag} 1 or more`);
      const cfg = commandConfig(cmd);
      const g = globals(cmd);
      progress('chaos drill: load through the service, faults at random, then every acknowledged inquiry checked');
      const r = await chaosDrill(cfg, {
        ...(opts.duration !== undefined ? { durationS: opts.duration } : {}),
        ...(opts.clients !== undefined ? { clients: opts.clients } : {}),
        ...(opts.instances ? { instances: opts.instances } : {}),
        cliArgs: [...(g.config ? ['--config', g.config] : []), '--data-dir', cfg.dataDir],
        log: progress,
      });
      report(cmd, r);
    });

  drill
    .command('pitr')
    .description('rows before a target, destructive statement after it, restore to the target on a separate cluster')
    .option('--rows <n>', 'rows written before and after the target', intOption('--rows'))
    .action(async (opts: { rows?: number }, cmd: Command) => {
      progress('PITR drill');
      report(cmd, await pitrDrill(commandConfig(cmd), opts));
    });

  drill
    .command('restore')
    .description('full restore from repo2 only (repo1 set aside), throughput next to a raw copy of the data dir')
    .option('--data-mb <n>', 'MB of data to generate first', intOption('--data-mb'))
    .action(async (opts: { dataMb?: number }, cmd: Command) => {
      progress('restore drill');
      report(cmd, await restoreDrill(commandConfig(cmd), opts));
    });
}
