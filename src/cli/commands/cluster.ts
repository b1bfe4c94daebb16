import type { Command } from 'commander';
import { LocalInstance, type InstanceStatus } from '../../cluster/local/localCluster.js';
import { planProfile, scaledProfile } from '../../cluster/local/memoryProfile.js';
import { isHa } from '../../cluster/patroni/paths.js';
import { promoteHaReplica } from '../../cluster/patroni/promoteReplica.js';
import { haStatus, type HaStatus } from '../../cluster/patroni/status.js';
import { switchover } from '../../cluster/patroni/switchover.js';
import { haDown, haUp } from '../../cluster/patroni/topology.js';
import { abandonArchiving, ensureStanza, prepareArchiving } from '../../backup/stanza.js';
import type { Config } from '../../config/schema.js';
import { connectionUrl } from '../../db/connection.js';
import { BillInquiryError, errorMessage } from '../../errors.js';
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
    .option('--ha', 'etcd + three Patroni nodes: primary, synchronous standby, async read replica')
    .option('--binaries <source>', 'auto | system | embedded')
    .option('--foreground', 'stay attached; Ctrl-C / SIGTERM stops the cluster cleanly')
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
        if (opts.ha) return upHa(cfg, cmd);
        const primary = new LocalInstance(cfg, 'primary', opts.port);
        const bins = primary.binaries();
        progress(`PostgreSQL ${bins.version} from ${bins.source} (${bins.binDir})`);
        if (await primary.init()) progress(`initialized ${primary.paths.pgdata}`);
        let walArchiving = prepareArchiving(cfg)
          ? 'pgBackRest archive-push (async)'
          : 'off (pgBackRest not installed, or backup.walArchiving is false)';
        const statuses = [await primary.start()];
        if (walArchiving.startsWith('pgBackRest')) {
          try {
            await ensureStanza(cfg);
          } catch (e) {
            walArchiving = `off: pgBackRest cannot back up this cluster (${errorMessage(e)})`;
            progress(`WARNING: WAL archiving ${walArchiving}`);
            abandonArchiving(cfg);
            await primary.stop();
            statuses[0] = await primary.start();
          }
        }
        if (opts.replica) {
          const replica = new LocalInstance(cfg, 'replica', opts.replicaPort);
          if (await replica.initReplicaOf(primary))
            progress(`replica cloned from primary into ${replica.paths.pgdata}`);
          statuses.push(await replica.start());
        }
        const params = await primary.parameters();
        const result = {
          ok: true,
          binaries: { source: bins.source, version: bins.version, binDir: bins.binDir },
          memory: { plan16GB: planProfile(cfg.server), thisMachine: scaledProfile(cfg.server) },
          pgaudit: String(params.shared_preload_libraries).includes('pgaudit')
            ? 'loaded'
            : 'not installed for these binaries: audit relies on log_statement',
          walArchiving,
          instances: statuses,
          connect: connectionUrl(primary.target()),
        };
        emit(result, globals(cmd), renderUp);
        if (opts.foreground)
          await holdUntilSignal(
            cfg,
            statuses.map((s) => s.name),
          );
      },
    );

  cluster
    .command('down')
    .description('stop the cluster (HA: Patroni nodes, then etcd; plain: replica first)')
    .action(async (_opts: unknown, cmd: Command) => {
      const cfg = commandConfig(cmd);
      if (isHa(cfg)) await haDown(cfg);
      for (const name of ['replica', 'primary']) await new LocalInstance(cfg, name).stop();
      emit({ ok: true }, globals(cmd), () => 'stopped');
    });

  cluster
    .command('status')
    .description('state of the instances (HA: members, roles, timeline, lag from Patroni)')
    .action(async (_opts: unknown, cmd: Command) => {
      const cfg = commandConfig(cmd);
      if (isHa(cfg)) {
        const s = await haStatus(cfg).catch((e: unknown) => {
          if (e instanceof BillInquiryError && e.code === 'HA_DOWN')
            return { ok: false, scope: cfg.ha.scope, members: [] };
          throw e;
        });
        emit(s, globals(cmd), renderHa);
        if (!s.ok) process.exitCode = 1;
        return;
      }
      const instances = await Promise.all(['primary', 'replica'].map((n) => new LocalInstance(cfg, n).status()));
      const present = instances.filter((s) => s.name === 'primary' || s.running);
      emit({ ok: present.every((s) => s.running), instances: present }, globals(cmd), (r) =>
        r.instances.map(renderStatus).join('\n'),
      );
      if (!present.every((s) => s.running)) process.exitCode = 1;
    });

  cluster
    .command('switchover')
    .description('planned switchover of the HA leader to the synchronous standby (or --to)')
    .option('--to <member>', 'candidate member name')
    .action(async (opts: { to?: string }, cmd: Command) => {
      const cfg = commandConfig(cmd);
      requireHa(cfg);
      const r = await switchover(cfg, opts.to);
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
      const cfg = commandConfig(cmd);
      if (isHa(cfg)) {
        const r = await promoteHaReplica(cfg);
        return emit(
          { ok: true, promoted: r.node, port: r.port },
          globals(cmd),
          (x) => `promoted ${x.promoted} (port ${x.port}) to primary`,
        );
      }
      const replica = new LocalInstance(cfg, 'replica');
      if (!(await replica.status()).running)
        throw new BillInquiryError(
          'NO_REPLICA',
          'no running local replica to promote',
          'start one with `bill-inquiry cluster up --replica`',
        );
      await replica.promote();
      emit(
        { ok: true, promoted: 'replica', port: replica.port },
        globals(cmd),
        (x) => `promoted ${x.promoted} (port ${x.port}) to primary`,
      );
    });
}

async function upHa(cfg: Readonly<Config>, cmd: Command): Promise<void> {
  const s = await haUp(cfg, progress);
  if (prepareArchiving(cfg)) await ensureStanza(cfg);
  emit(s, globals(cmd), renderHa);
}

function requireHa(cfg: Readonly<Config>): void {
  if (!isHa(cfg))
    throw new BillInquiryError(
      'NOT_HA',
      'this data dir does not run the HA topology',
      'start it with `bill-inquiry cluster up --ha`',
    );
}

const renderHa = (s: HaStatus) =>
  [
    `HA cluster ${s.scope}: ${s.ok ? 'healthy' : 'DEGRADED'}  leader ${s.leader ?? '(none)'}  timeline ${s.timeline ?? '?'}`,
    ...s.members.map(
      (m) =>
        `${m.name.padEnd(6)} ${m.role.padEnd(12)} ${m.state.padEnd(10)} ${m.host}:${m.port}  tl ${m.timeline ?? '?'}  lag ${m.lag ?? 0}${m.tags?.nofailover ? '  (nofailover)' : ''}`,
    ),
  ].join('\n');

const renderStatus = (s: InstanceStatus) =>
  `${s.name.padEnd(8)} ${s.running ? `running (pid ${s.pid})` : 'stopped'}  port ${s.port}  ${s.role}  ${s.pgdata}`;

function renderUp(r: {
  binaries: { source: string; version: number };
  memory: { plan16GB: object; thisMachine: object };
  pgaudit: string;
  walArchiving: string;
  instances: InstanceStatus[];
  connect: string;
}): string {
  return [
    `PostgreSQL ${r.binaries.version} (${r.binaries.source})`,
    ...r.instances.map(renderStatus),
    `memory profile: plan (16 GB) ${JSON.stringify(r.memory.plan16GB)}`,
    `                this machine ${JSON.stringify(r.memory.thisMachine)}`,
    `pgaudit: ${r.pgaudit}`,
    `WAL archiving: ${r.walArchiving}`,
    `connect: ${r.connect}`,
  ].join('\n');
}

/** Keeps the process alive until Ctrl-C/SIGTERM, then stops the instances cleanly. */
function holdUntilSignal(cfg: Readonly<Config>, names: string[]): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {}, 1 << 30);
    const stop = async () => {
      clearInterval(timer);
      for (const n of [...names].reverse()) await new LocalInstance(cfg, n).stop();
      progress('cluster stopped');
      resolve();
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });
}
