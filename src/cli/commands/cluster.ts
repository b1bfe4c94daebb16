import type { Command } from 'commander';
import { LocalInstance, type InstanceStatus } from '../../cluster/local/localCluster.js';
import { planProfile, scaledProfile } from '../../cluster/local/memoryProfile.js';
import { connectionUrl } from '../../db/connection.js';
import { commandConfig, globals, intOption } from '../context.js';
import { emit, progress } from '../output.js';

export function registerClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description('the local PostgreSQL cluster that the tool runs itself');

  cluster
    .command('up')
    .description('initdb (checksums, SCRAM, TLS) if needed and start the local cluster on 127.0.0.1')
    .option('-p, --port <port>', 'primary port', intOption('--port'))
    .option('--replica', 'also start a streaming read replica')
    .option('--replica-port <port>', 'replica port', intOption('--replica-port'))
    .option('--binaries <source>', 'auto | system | embedded')
    .option('--foreground', 'stay attached; Ctrl-C / SIGTERM stops the cluster cleanly')
    .action(async (opts: { port?: number; replica?: boolean; replicaPort?: number; binaries?: string; foreground?: boolean }, cmd: Command) => {
      const cfg = commandConfig(cmd, { cluster: { ...(opts.binaries ? { binaries: opts.binaries } : {}) } });
      const primary = new LocalInstance(cfg, 'primary', opts.port);
      const bins = primary.binaries();
      progress(`PostgreSQL ${bins.version} from ${bins.source} (${bins.binDir})`);
      if (await primary.init()) progress(`initialized ${primary.paths.pgdata}`);
      const statuses = [await primary.start()];
      if (opts.replica) {
        const replica = new LocalInstance(cfg, 'replica', opts.replicaPort);
        if (await replica.initReplicaOf(primary)) progress(`replica cloned from primary into ${replica.paths.pgdata}`);
        statuses.push(await replica.start());
      }
      const params = await primary.parameters();
      const result = {
        ok: true,
        binaries: { source: bins.source, version: bins.version, binDir: bins.binDir },
        memory: { plan16GB: planProfile(cfg.server), thisMachine: scaledProfile(cfg.server) },
        pgaudit: String(params.shared_preload_libraries).includes('pgaudit') ? 'loaded' : 'not installed for these binaries: audit relies on log_statement',
        instances: statuses,
        connect: connectionUrl(primary.target()),
      };
      emit(result, globals(cmd), renderUp);
      if (opts.foreground) await holdUntilSignal(cfg, statuses.map((s) => s.name));
    });

  cluster
    .command('down')
    .description('stop the local cluster (replica first)')
    .action(async (_opts: unknown, cmd: Command) => {
      const cfg = commandConfig(cmd);
      for (const name of ['replica', 'primary']) await new LocalInstance(cfg, name).stop();
      emit({ ok: true }, globals(cmd), () => 'stopped');
    });

  cluster
    .command('status')
    .description('state of the local instances')
    .action(async (_opts: unknown, cmd: Command) => {
      const cfg = commandConfig(cmd);
      const instances = await Promise.all(['primary', 'replica'].map((n) => new LocalInstance(cfg, n).status()));
      const present = instances.filter((s) => s.name === 'primary' || s.running);
      emit({ ok: present.every((s) => s.running), instances: present }, globals(cmd), (r) => r.instances.map(renderStatus).join('\n'));
      if (!present.every((s) => s.running)) process.exitCode = 1;
    });
}

const renderStatus = (s: InstanceStatus) =>
  `${s.name.padEnd(8)} ${s.running ? `running (pid ${s.pid})` : 'stopped'}  port ${s.port}  ${s.role}  ${s.pgdata}`;

function renderUp(r: { binaries: { source: string; version: number }; memory: { plan16GB: object; thisMachine: object }; pgaudit: string; instances: InstanceStatus[]; connect: string }): string {
  return [
    `PostgreSQL ${r.binaries.version} (${r.binaries.source})`,
    ...r.instances.map(renderStatus),
    `memory profile: plan (16 GB) ${JSON.stringify(r.memory.plan16GB)}`,
    `                this machine ${JSON.stringify(r.memory.thisMachine)}`,
    `pgaudit: ${r.pgaudit}`,
    `connect: ${r.connect}`,
  ].join('\n');
}

/** Keeps the process alive until Ctrl-C/SIGTERM, then stops the instances cleanly. */
function holdUntilSignal(cfg: ConstructorParameters<typeof LocalInstance>[0], names: string[]): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {}, 1 << 30);
    const stop = async () => {
      clearInterval(timer);
      for (const n of [...names].reverse()) await new LocalInstance(cfg, n).stop();
      progress('cluster stopped');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
