import cluster from 'node:cluster';
import type { SupervisionStats } from '../../cluster/local/supervisor.js';
import type { Config } from '../../config/schema.js';
import { errorMessage } from '../../errors.js';
import { monitoringPlugins } from '../../monitor/http/monitoringPlugins.js';
import { startService } from '../../service/start.js';
import { openTopology } from '../../topology/open.js';
import { untilSignal } from '../signals.js';
import type { FromWorker, ToWorker } from './workerPool.js';

/**
 * One worker of `serve --workers N`: the service on the shared port with its
 * own pools, on the topology the data dir and config name (the primary
 * process brought it up and applied it). Stops on the primary's `shutdown`
 * message or its own SIGTERM/SIGINT (Ctrl-C reaches the whole process group):
 * drains, flushes its history, closes its pools, exits 0.
 */
export async function runWorker(cfg: Readonly<Config>): Promise<void> {
  const send = (m: FromWorker) => process.send?.(m);
  let stats: SupervisionStats | undefined;
  let shutdown!: () => void;
  const stopRequested = new Promise<void>((r) => (shutdown = r));
  process.on('message', (m: ToWorker) => {
    if (m.type === 'supervision') stats = m.stats;
    else if (m.type === 'shutdown') shutdown();
  });
  void untilSignal().then(shutdown);
  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await startService(cfg, {
      topology: openTopology(cfg),
      extraPlugins: monitoringPlugins(cfg, undefined),
      supervision: () => stats,
    });
  } catch (e) {
    send({ type: 'failed', message: errorMessage(e) });
    process.exit(1);
  }
  send({ type: 'listening', url: service.url });
  await stopRequested;
  await service.stop();
  const h = service.runtime.historyStats();
  service.runtime.log.info({ worker: cluster.worker?.id, flushed: h.flushed, queued: h.queued }, 'worker stopped');
  // Nothing of this worker is left to finish: exit now rather than wait for the signal listener's keep-alive.
  process.exit(h.queued ? 1 : 0);
}
