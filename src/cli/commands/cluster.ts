import type { Command } from 'commander';
import type { InstanceStatus } from '../../cluster/local/localCluster.js';
import { planProfile, scaledProfile } from '../../cluster/local/memoryProfile.js';
import { Supervisor } from '../../cluster/local/supervisor.js';
import type { HaStatus } from '../../cluster/patroni/status.js';
import type { Config } from '../../config/schema.js';
import { connectionUrl } from '../../db/connection.js';
import { BillInquiryError } from '../../errors.js';
import { openTopology } from '../../topology/open.js';
import type { TopologyStatus, UpResult } from '../../topology/types.js';
import { bringUp, requireLocal } from '../bringUp.js';
import { commandConfig, globals, intOption } from '../context.js';
import { emit, progress } from '../output.js';
import { untilSignal } from '../signals.js';
import { logSupervisor } from '../supervision.js';

export function registerClusterCommands(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('the PostgreSQL topology of the data dir: plain (primary, optional replica) or HA (Patroni + etcd)');

  cluster
    .command('up')
    .description(
      "create (initdb: checksums, SCRAM, TLS; or Patroni bootstrap with --ha) if needed and start the data dir's cluster on 127.0.0.1",
    )
    .option('-p, --port <port>', 'primary port', intOption('--port'))
    .option('--replica', 'also start a streaming read replica')
    .option('--replica-port <port>', 'replica port', intOption('--replica-port'))
    .option('--ha', 'etcd + three Patroni nodes: primary, synchronous standby, async read replica')
    .option('--binaries <source>', 'auto | system | embedded')
    .option(
      '--foreground',
      'stay attached and restart what it started should it die; Ctrl-C / SIGTERM stops it cleanly',
    )
    .action(
      async (
        opts: {
          port?: number;
          replica?: boolean;
          replicaPort?: number;
          ha?: boolean;
          binaries?: string;
          foreground?: boolean;
        },
        cmd: Command,
      ) => {
        const cfg = commandConfig(cmd, { cluster: { ...(opts.binaries ? { binaries: opts.binaries } : {}) } });
        const topology = requireLocal(openTopology(cfg, opts.ha ? 'ha' : undefined));
        const up = await bringUp(topology, { ...opts, log: progress });
        if (up.ha) emit({ ...up.ha, walArchiving: up.walArchiving }, globals(cmd), renderHa);
        else emit(await plainResult(cfg, up, up.walArchiving), globals(cmd), renderUp);
        if (opts.foreground) await holdUntilSignal(cfg, up);
      },
    );

  cluster
    .command('down')
    .description('stop the cluster (HA: Patroni nodes, then etcd; plain: replica first)')
    .action(async (_opts: unknown, cmd: Command) => {
      await requireLocal(openTopology(commandConfig(cmd))).local.down();
      emit({ ok: true }, globals(cmd), () => 'stopped');
    });

  cluster
    .command('status')
    .description('state of the members (HA: roles, timeline, lag from Patroni; external: which members answer)')
    .action(async (_opts: unknown, cmd: Command) => {
      const s = await openTopology(commandConfig(cmd)).status();
      emit(s, globals(cmd), renderStatus);
      if (!s.ok) process.exitCode = 1;
    });

  cluster
    .command('switchover')
    .description('planned switchover of the HA leader to the synchronous standby (or --to)')
    .option('--to <member>', 'candidate member name')
    .action(async (opts: { to?: string }, cmd: Command) => {
      const local = openTopology(commandConfig(cmd)).local;
      if (!local?.switchover)
        throw new BillInquiryError(
          'NOT_HA',
          'this data dir does not run the HA topology',
          'start it with `bill-inquiry cluster up --ha`',
        );
      const r = await local.switchover(opts.to);
      emit(
        { ok: true, ...r },
        globals(cmd),
        (x) => `switched over ${x.from} → ${x.to} in ${x.seconds.toFixed(1)} s\n${renderHa(x.status)}`,
      );
    });

  cluster
    .command('promote-replica')
    .description('region failure: promote the read replica to an independent primary')
    .action(async (_opts: unknown, cmd: Command) => {
      const r = await requireLocal(openTopology(commandConfig(cmd))).local.promoteReplica();
      emit({ ok: true, ...r }, globals(cmd), (x) => `promoted ${x.promoted} (port ${x.port}) to primary`);
    });
}

async function plainResult(cfg: Readonly<Config>, up: UpResult, walArchiving: string) {
  return {
    ok: true,
    binaries: up.binaries!,
    memory: { plan16GB: planProfile(cfg.server), thisMachine: scaledProfile(cfg.server) },
    pgaudit: up.pgaudit ? 'loaded' : 'not installed for these binaries: audit relies on log_statement',
    walArchiving,
    instances: up.instances!,
    connect: connectionUrl(await openTopology(cfg).admin()),
  };
}

/** Stays attached: supervises what `up` started, stops it on Ctrl-C / SIGTERM. */
async function holdUntilSignal(cfg: Readonly<Config>, up: UpResult): Promise<void> {
  const supervisor = cfg.cluster.supervise.enabled
    ? logSupervisor(new Supervisor(up.supervised, cfg.cluster.supervise), progress).start()
    : undefined;
  if (up.supervised.length && supervisor)
    progress(`supervising ${up.supervised.map((s) => s.name).join(', ')}: restarted should they die`);
  await untilSignal();
  await supervisor?.stop();
  await up.stopStarted();
  progress(up.started ? 'cluster stopped' : 'the cluster was running before: left running');
}

const renderHa = (s: HaStatus) =>
  [
    `HA cluster ${s.scope}: ${s.ok ? 'healthy' : 'DEGRADED'}  leader ${s.leader ?? '(none)'}  timeline ${s.timeline ?? '?'}`,
    ...s.members.map(
      (m) =>
        `${m.name.padEnd(6)} ${m.role.padEnd(12)} ${m.state.padEnd(10)} ${m.host}:${m.port}  tl ${m.timeline ?? '?'}  lag ${m.lag ?? 0}${m.tags?.nofailover ? '  (nofailover)' : ''}`,
    ),
  ].join('\n');

const renderInstance = (s: InstanceStatus) =>
  `${s.name.padEnd(8)} ${s.running ? `running (pid ${s.pid})` : 'stopped'}  port ${s.port}  ${s.role}  ${s.pgdata}`;

function renderStatus(s: TopologyStatus): string {
  if (s.kind === 'ha') return renderHa(s);
  if (s.kind === 'plain') return s.instances.map(renderInstance).join('\n');
  return [
    `external database: ${s.ok ? 'a primary answers' : 'NO PRIMARY answers'}`,
    ...s.members.map(
      (m) =>
        `${m.name.padEnd(22)} ${m.running ? (m.role ?? 'up') : 'not answering'}  ${m.endpoint.host}:${m.endpoint.port}`,
    ),
  ].join('\n');
}

function renderUp(r: Awaited<ReturnType<typeof plainResult>>): string {
  return [
    `PostgreSQL ${r.binaries.version} (${r.binaries.source})`,
    ...r.instances.map(renderInstance),
    `memory profile: plan (16 GB) ${JSON.stringify(r.memory.plan16GB)}`,
    `                this machine ${JSON.stringify(r.memory.thisMachine)}`,
    `pgaudit: ${r.pgaudit}`,
    `WAL archiving: ${r.walArchiving}`,
    `connect: ${r.connect}`,
  ].join('\n');
}
