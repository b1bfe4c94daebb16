import type { Command } from 'commander';
import { LocalInstance } from '../../cluster/local/localCluster.js';
import { startKosMock, type KosMock } from '../../kos/mock/server.js';
import { monitoringPlugins } from '../../monitor/http/monitoringPlugins.js';
import { ensureLocalDatabase } from '../../platform/ensureLocal.js';
import { startService } from '../../service/start.js';
import { commandConfig, globals, intOption } from '../context.js';
import { emit, progress } from '../output.js';

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description(
      'run the Bill-Inquiry HTTP service on the local database (started and applied if needed), with the KOS mock unless --kos-url',
    )
    .option('-p, --port <port>', 'HTTP port (default 8080)', intOption('--port'))
    .option('--kos-url <url>', 'real KOS base URL (default: start the bundled KOS mock)')
    .option('--replica', 'also run a local streaming read replica for history reads')
    .action(async (opts: { port?: number; kosUrl?: string; replica?: boolean }, cmd: Command) => {
      const cfg = commandConfig(cmd, {
        service: {
          ...(opts.port !== undefined ? { port: opts.port } : {}),
          ...(opts.kosUrl ? { kosUrl: opts.kosUrl } : {}),
        },
      });
      progress(`Node.js ${process.version} (${process.execPath})`);
      const external = cfg.service.database;
      const primaryWasRunning = external ? true : (await new LocalInstance(cfg, 'primary').status()).running;
      const db = external ? undefined : await ensureLocalDatabase(cfg, { replica: opts.replica, onProgress: progress });
      if (external)
        progress(
          `external database ${external.primary.host}:${external.primary.port} (service.database): nothing started or applied`,
        );
      let mock: KosMock | undefined;
      const stopCluster = async () => {
        if (db && !primaryWasRunning) for (const inst of [db.replica, db.primary]) await inst?.stop();
      };
      let service: Awaited<ReturnType<typeof startService>>;
      try {
        if (!cfg.service.kosUrl) {
          mock = await startKosMock(cfg.service.kosMock, {
            protocol: cfg.service.kosProtocol,
            timeZone: cfg.database.timezone,
          });
          progress(`KOS mock on ${mock.url} (${mock.protocol} protocol; no KOS URL configured)`);
        }
        service = await startService(cfg, {
          kosUrl: cfg.service.kosUrl ?? mock!.url,
          // /metrics and the /ops dashboard; the service runtime reaches them through the plugin options.
          extraPlugins: monitoringPlugins(cfg, undefined),
          ...(db ? { admin: db.primary.target(cfg.database.name) } : {}),
        });
      } catch (e) {
        await mock?.close();
        await stopCluster();
        throw e;
      }
      const dataDirFlag = globals(cmd).dataDir ? ` --data-dir ${globals(cmd).dataDir}` : '';
      emit(
        { ok: true, url: service.url, docs: `${service.url}/docs`, kosUrl: cfg.service.kosUrl ?? mock!.url },
        globals(cmd),
        (r) =>
          [
            `Bill-Inquiry service on ${r.url} (OpenAPI: ${r.docs})`,
            `get a token:  node bin/bill-inquiry.mjs${dataDirFlag} token --user user1 --line 010-1234-5678`,
            `then:         curl -H "Authorization: Bearer $TOKEN" ${r.url}/bills/menu`,
            'Ctrl-C stops the service (history is flushed first).',
          ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        const shutdown = () => {
          process.off('SIGINT', shutdown);
          process.off('SIGTERM', shutdown);
          resolve();
        };
        process.on('SIGINT', shutdown);
        process.on('SIGTERM', shutdown);
      });
      progress('stopping: flushing history…');
      await service.stop();
      await mock?.close();
      if (db && !primaryWasRunning) {
        await stopCluster();
        progress('local cluster stopped (serve had started it)');
      }
    });
}
