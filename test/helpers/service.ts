import { after } from 'node:test';
import type { ConfigInput } from '../../src/config/schema.js';
import { startKosMock, type KosMock } from '../../src/kos/mock/server.js';
import { KOS_PATHS, type KosScenario } from '../../src/kos/protocol.js';
import { applyDatabase } from '../../src/platform/apply.js';
import { issueToken } from '../../src/service/auth/tokens.js';
import { staticLocator, type DbLocator } from '../../src/topology/index.js';
import { startService, type StartedService } from '../../src/service/start.js';
import { startTempCluster, type TempCluster } from './tempCluster.js';

export interface ServiceHarness extends TempCluster {
  kos: KosMock;
  service: StartedService;
  url: string;
  token(userId: string, lines: string[], ttlSeconds?: number): string;
  api<T = any>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T }>;
  /** Changes the KOS mock's scenario over its admin endpoint. */
  scenario(s: Partial<KosScenario>): Promise<void>;
  /** SQL as superuser on the Bill-Inquiry database of the primary. */
  sql<R extends Record<string, any> = Record<string, any>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Flushes queued history and shared-cache writes now. */
  flush(): Promise<void>;
}

/** Fast test settings: no retry waits, short breaker recovery, quick flushes. */
const FAST: ConfigInput = {
  systemConfig: {
    kosRetryDelayMs: 10,
    kosConnectTimeoutMs: 2000,
    kosReadTimeoutMs: 5000,
    circuitRecoveryTimeoutMs: 1000,
  },
  service: {
    port: 0,
    processingAfterMs: 1500,
    history: { flushIntervalMs: 50, retryDelayMs: 200 },
    kosMock: { latencyMs: 0 },
  },
};

/** A real PostgreSQL (applied by the platform), the KOS mock and the service, all on 127.0.0.1, stopped after the file. */
export async function startServiceHarness(
  opts: { overrides?: ConfigInput; replica?: boolean; locatorFor?: (c: TempCluster) => DbLocator } = {},
): Promise<ServiceHarness> {
  const cluster = await startTempCluster({ overrides: merge(FAST, opts.overrides ?? {}), replica: false });
  const { cfg, primary } = cluster;
  await applyDatabase(cfg, primary.target());
  if (opts.replica) {
    const { LocalInstance } = await import('../../src/cluster/local/localCluster.js');
    const { track } = await import('./tempCluster.js');
    const replica = track(new LocalInstance(cfg, 'replica'));
    await replica.initReplicaOf(primary);
    await replica.start();
    cluster.replica = replica;
    after(() => replica.stop('fast'));
  }
  const kos = await startKosMock(cfg.service.kosMock, { protocol: cfg.service.kosProtocol });
  const locator =
    opts.locatorFor?.(cluster) ??
    staticLocator(
      { host: cfg.cluster.host, port: primary.port },
      cluster.replica ? { host: cfg.cluster.host, port: cluster.replica.port } : undefined,
    );
  const service = await startService(cfg, {
    port: 0,
    kosUrl: kos.url,
    locator,
    admin: primary.target(cfg.database.name),
  });
  after(async () => {
    await service.stop();
    await kos.close();
  });
  const url = service.url;
  return {
    ...cluster,
    kos,
    service,
    url,
    token: (userId, lines, ttl) => issueToken(cfg, { userId, lines, ttlSeconds: ttl }),
    async api(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let body: string | undefined;
      if (o.raw !== undefined) body = o.raw;
      else if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
      const res = await fetch(url + path, { method, headers, body });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async scenario(s) {
      await fetch(kos.url + KOS_PATHS.admin, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(s),
      });
    },
    sql: (text, params = []) => primary.query(text, params, cfg.database.name),
    async flush() {
      await service.runtime.history.flush(true);
      await service.runtime.billCache.flushShared(true);
    },
  };
}

function merge(a: any, b: any): any {
  const out = { ...a };
  for (const [k, v] of Object.entries(b))
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' ? merge(out[k], v) : v;
  return out;
}
