import cluster from 'node:cluster';
import type { Command } from 'commander';
import type { Config } from '../../config/schema.js';
import { describeProfile, phonebillProfile } from '../../config/phonebillEnv.js';
import { BillInquiryError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { startKosMock, type KosMock } from '../../kos/mock/server.js';
import { monitoringPlugins } from '../../monitor/http/monitoringPlugins.js';
import { readPoolOnPrimary, serveBudget } from '../../platform/connectionBudget.js';
import { startPartitionJob } from '../../service/partitionsJob.js';
import { startService } from '../../service/start.js';
import { commandConfig, globals, intOption } from '../context.js';
import { emit, progress } from '../output.js';
import { prepareDatabase, type ServeDatabase } from '../serve/database.js';
import { runWorker } from '../serve/worker.js';
import { WorkerPool } from '../serve/workerPool.js';
import { untilSignal } from '../signals.js';

interface ServeOptions {
  port?: number;
  kosUrl?: string;
  kosMock?: boolean;
  replica?: boolean;
  ha?: boolean;
  workers?: number;
}

/** How long the primary process waits for its workers to flush and exit before it kills them. */
const WORKER_GRACE_MS = 10_000;

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description(
      "run the Bill-Inquiry HTTP service on the data dir's database (started, applied and supervised if needed) or an external one (service.database, BILL_INQUIRY_ENV_PROFILE=phonebill: nothing started or applied), with the KOS mock unless --kos-url (external: only with --kos-mock)",
    )
    .option('-p, --port <port>', 'HTTP port (default 8080)', intOption('--port'))
    .option('--kos-url <url>', 'real KOS base URL (default on a local topology: start the bundled KOS mock)')
    .option('--kos-mock', 'answer with the bundled KOS mock (test bills) even on an external database')
    .option('--replica', 'plain topology: also run a local streaming read replica for history reads')
    .option('--ha', 'on a fresh data dir: etcd + three Patroni nodes (as `cluster up --ha`), then the service')
    .option(
      '--workers <n>',
      'service processes sharing the port (node:cluster), each with its own pools',
      intOption('--workers'),
    )
    .action(async (opts: ServeOptions, cmd: Command) => {
      const cfg = commandConfig(cmd, {
        service: {
          ...(opts.port !== undefined ? { port: opts.port } : {}),
          ...(opts.kosUrl ? { kosUrl: opts.kosUrl } : {}),
          ...(opts.kosMock ? { kosMock: { inProcess: true } } : {}),
          ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
        },
      });
      if (cluster.isWorker) return runWorker(cfg);
      await serve(cfg, opts, cmd);
    });
}

async function serve(cfg: Readonly<Config>, opts: ServeOptions, cmd: Command): Promise<void> {
  progress(`Node.js ${process.version} (${process.execPath})`);
  const profile = phonebillProfile(process.env);
  if (profile) progress(describeProfile(profile));
  const startMock = wantsKosMock(cfg, !!profile);
  const pb = cfg.service.jwt.phonebill;
  // Without it every phonebill token would be refused (a key generated here matches no Auth service).
  if (profile && pb.enabled && !process.env[pb.secretEnv])
    throw new BillInquiryError(
      'ENV_INVALID',
      `${pb.secretEnv} is not set (phonebill environment profile): phonebill's Auth tokens could not be verified`,
      `set ${pb.secretEnv} to the secret phonebill's Auth service signs with (secret-common, Key Vault jwt_signing_key)`,
    );
  if (cfg.service.database?.allowUnverifiedTls)
    progress(
      'WARNING: service.database.allowUnverifiedTls is on: the database certificate is NOT verified, anyone on the network path can pose as the database — test setups only',
    );
  const workers = cfg.service.workers;
  const budget = serveBudget(cfg);
  if (workers > 1 || budget.warn || readPoolOnPrimary(cfg))
    progress(`${budget.warn ? 'WARNING: ' : ''}${budget.message}`);
  const db = await prepareDatabase(cfg, { ha: opts.ha, replica: opts.replica, log: progress });
  let mock: KosMock | undefined;
  let stopPartitions = () => {};
  let running: { url: string; stop(): Promise<string> } | undefined;
  try {
    if (startMock) {
      mock = await startKosMock(cfg.service.kosMock, {
        protocol: cfg.service.kosProtocol,
        timeZone: cfg.database.timezone,
      });
      progress(`KOS mock on ${mock.url} (${mock.protocol} protocol; test bills: no KOS URL configured)`);
    }
    const kosUrl = cfg.service.kosUrl ?? mock!.url;
    if (db.admin)
      stopPartitions = await startPartitionJob(cfg, db.admin, createLogger({ name: 'bill-inquiry-partitions' }));
    running = workers > 1 ? await startWorkers(cfg, db, kosUrl, workers) : await startInProcess(cfg, db, kosUrl);
  } catch (e) {
    stopPartitions();
    await mock?.close();
    await db.stop();
    throw e;
  }
  const dataDirFlag = globals(cmd).dataDir ? ` --data-dir ${globals(cmd).dataDir}` : '';
  emit(
    {
      ok: true,
      url: running.url,
      docs: `${running.url}/docs`,
      kosUrl: cfg.service.kosUrl ?? mock!.url,
      topology: db.topology.kind,
      workers,
      supervised: !!db.supervision,
    },
    globals(cmd),
    (r) =>
      [
        `Bill-Inquiry service on ${r.url} (OpenAPI: ${r.docs}; ${r.topology} topology${workers > 1 ? `; ${workers} workers` : ''})`,
        `get a token:  node bin/bill-inquiry.mjs${dataDirFlag} token --user user1 --line 010-1234-5678`,
        `then:         curl -H "Authorization: Bearer $TOKEN" ${r.url}/bills/menu`,
        'Ctrl-C stops the service (history is flushed first).',
      ].join('\n'),
  );
  await untilSignal();
  progress('stopping: flushing history…');
  progress(await running.stop());
  stopPartitions();
  await mock?.close();
  const { stopped } = await db.stop();
  if (stopped) progress(`${db.topology.kind} cluster stopped (serve had started it)`);
}

/**
 * Whether `serve` answers with the bundled mock's test bills: never when a KOS
 * URL is set; asked for by name (service.kosMock.inProcess, --kos-mock); or by
 * default on a local topology only. On an external database (a production
 * shape) a missing KOS URL is an error, never silently test bills.
 */
function wantsKosMock(cfg: Readonly<Config>, phonebill: boolean): boolean {
  if (cfg.service.kosUrl) return false;
  const inProcess = cfg.service.kosMock.inProcess ?? !cfg.service.database;
  if (inProcess) return true;
  throw new BillInquiryError(
    'KOS_URL_MISSING',
    phonebill
      ? 'KOS_BASE_URL is not set (phonebill environment profile)'
      : 'no KOS URL is configured and the bundled mock is not asked for',
    phonebill
      ? "set KOS_BASE_URL to KOS (phonebill: the kos-mock Service's URL, e.g. http://kos-mock:8080/kos-mock); test setups only: --kos-mock"
      : 'set service.kosUrl or --kos-url; test setups only: --kos-mock (or service.kosMock.inProcess=true) answers with test bills',
  );
}

/** One process: the service in this process. */
async function startInProcess(cfg: Readonly<Config>, db: ServeDatabase, kosUrl: string) {
  const service = await startService(cfg, {
    kosUrl,
    topology: db.topology,
    // /metrics and the /ops dashboard; the service runtime reaches them through the plugin options.
    extraPlugins: monitoringPlugins(cfg, undefined),
    ...(db.supervision ? { supervision: db.supervision } : {}),
  });
  return {
    url: service.url,
    stop: async () => {
      await service.stop();
      return `history flushed (${service.runtime.historyStats().flushed} rows written)`;
    },
  };
}

/** `--workers N`: node:cluster workers on the one port; this process keeps the database, the mock and the supervisor. */
async function startWorkers(cfg: Readonly<Config>, db: ServeDatabase, kosUrl: string, count: number) {
  const pool = new WorkerPool(count, { BILL_INQUIRY__SERVICE__KOS_URL: kosUrl }, progress, db.supervisor);
  const url = await pool.start().catch(async (e: unknown) => {
    await pool.stop(WORKER_GRACE_MS);
    throw e;
  });
  progress(`${count} service workers listening on ${url}`);
  return {
    url,
    stop: async () => {
      const timeout = cfg.service.shutdownDrainMs + cfg.service.history.shutdownTimeoutMs + WORKER_GRACE_MS;
      const r = await pool.stop(timeout);
      return `${r.clean} of ${count} workers flushed their history and exited${r.killed ? `; ${r.killed} killed after ${timeout} ms` : ''}`;
    },
  };
}
