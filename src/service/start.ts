import type { TokenCredential } from '@azure/identity';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config/schema.js';
import type { ConnTarget } from '../db/connection.js';
import { startPartitionJob } from './partitionsJob.js';
import { BillInquiryError } from '../errors.js';
import { openTopology } from '../topology/open.js';
import type { DbLocator, Topology } from '../topology/types.js';
import { buildApp } from './app.js';
import { ServiceRuntime, type ServiceDatabase } from './runtime.js';

export interface StartedService {
  url: string;
  runtime: ServiceRuntime;
  /** Stops accepting requests, flushes history, closes pools. */
  stop(): Promise<void>;
}

/**
 * Starts the HTTP service on cfg.service.host. The database is the topology's
 * (default: `openTopology(cfg)`, i.e. service.database when configured, else
 * this data dir's plain or HA cluster), reached through `locator` when given
 * (tests); KOS from `kosUrl` or cfg.service.kosUrl (callers start the mock
 * when neither is set). `stop()` first drains for service.shutdownDrainMs
 * (/ready answers 503 so a load balancer moves away), then closes the
 * listener, flushes history and closes the pools.
 */
export async function startService(
  cfg: Readonly<Config>,
  opts: {
    port?: number;
    kosUrl?: string;
    topology?: Topology;
    locator?: DbLocator;
    supervision?: ServiceDatabase['supervision'];
    extraPlugins?: FastifyPluginAsync<{ runtime: ServiceRuntime }>[];
    /** Superuser/owner target: when given, history partitions are maintained at start and daily. */
    admin?: ConnTarget;
    /** service.database.auth = 'entra': the token source (default: the configured Entra credential). */
    credential?: TokenCredential;
  } = {},
): Promise<StartedService> {
  const kosUrl = opts.kosUrl ?? cfg.service.kosUrl;
  if (!kosUrl)
    throw new BillInquiryError(
      'KOS_URL_MISSING',
      'no KOS URL to call',
      'set service.kosUrl, pass --kos-url, or let `serve` start the KOS mock',
    );
  const runtime = new ServiceRuntime(
    cfg,
    {
      topology: opts.topology ?? openTopology(cfg),
      ...(opts.locator ? { locator: opts.locator } : {}),
      ...(opts.supervision ? { supervision: opts.supervision } : {}),
    },
    kosUrl,
    opts.credential,
  );
  await runtime.start();
  const stopPartitions = opts.admin ? await startPartitionJob(cfg, opts.admin, runtime.log) : () => undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let url: string;
  try {
    app = await buildApp(runtime, opts.extraPlugins);
    url = await app.listen({ host: cfg.service.host, port: opts.port ?? cfg.service.port });
  } catch (e) {
    stopPartitions();
    await app?.close().catch(() => undefined);
    await runtime.stop();
    const port = opts.port ?? cfg.service.port;
    if ((e as { code?: string }).code === 'EADDRINUSE') {
      throw new BillInquiryError(
        'PORT_IN_USE',
        `port ${port} on ${cfg.service.host} is already in use`,
        'pick another with --port (or service.port)',
        { cause: e },
      );
    }
    throw e;
  }
  const started = app;
  let stopping: Promise<void> | undefined;
  return {
    url,
    runtime,
    stop: () => {
      stopPartitions();
      return (stopping ??= drain(runtime, cfg.service.shutdownDrainMs).then(async () => {
        await started.close();
        await runtime.stop();
      }));
    },
  };
}

/** /ready turns 503 first: a load balancer checking it stops sending new requests before the listener closes. */
async function drain(runtime: ServiceRuntime, ms: number): Promise<void> {
  runtime.draining = true;
  if (ms > 0) await sleep(ms);
}
