import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TlsFiles } from '../../src/cluster/local/tls.js';

/** One request the stand-in answered. */
export interface ArmRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization?: string;
}

export interface ArmStandIn {
  /** https://127.0.0.1:<port>: the SDK clients' endpoint. */
  url: string;
  requests: ArmRequest[];
  /** The server's newest backup completes this many hours before the request (the fixture's older one a day earlier). */
  backupAgeHours: number;
  stop(): Promise<void>;
}

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/azure-arm/${name}`, import.meta.url), 'utf8'));

/**
 * Azure Resource Manager as the SDK clients see it, for one Flexible Server:
 * GET …/providers/Microsoft.Insights/metrics and GET …/backups answer with the
 * recorded responses under test/fixtures/azure-arm, their times moved to now
 * (metrics: the newest point two minutes ago). HTTPS with the data dir's test
 * CA — the SDK refuses bearer tokens over plain HTTP — on 127.0.0.1; a request
 * without the expected bearer token gets ARM's 401.
 */
export async function startArmStandIn(tls: TlsFiles, token: string): Promise<ArmStandIn> {
  const requests: ArmRequest[] = [];
  const state = { backupAgeHours: 2 };
  const server = https.createServer(
    { cert: readFileSync(tls.serverCert), key: readFileSync(tls.serverKey) },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': 'stand-in' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${token}`)
        return send(401, {
          error: {
            code: 'AuthenticationFailed',
            message: 'Authentication failed. The Authorization header is missing.',
          },
        });
      if (url.pathname.endsWith('/providers/Microsoft.Insights/metrics')) return send(200, metricsNow());
      if (url.pathname.endsWith('/backups')) return send(200, backupsNow(state.backupAgeHours));
      send(404, { error: { code: 'ResourceNotFound', message: `no stand-in for ${url.pathname}` } });
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    get backupAgeHours() {
      return state.backupAgeHours;
    },
    set backupAgeHours(h: number) {
      state.backupAgeHours = h;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

interface MetricsFixture {
  value: Array<{ timeseries: Array<{ data: Array<{ timeStamp: string }> }> }>;
}

function metricsNow(): unknown {
  const m = fixture('metrics.json') as MetricsFixture;
  const now = Date.now();
  for (const metric of m.value)
    for (const series of metric.timeseries)
      series.data.forEach((d, i, all) => {
        // The last point (no value yet, as Azure sends the current minute) is now; the ones before, a minute apart.
        d.timeStamp = new Date(Math.floor(now / 60_000) * 60_000 - (all.length - 1 - i) * 60_000).toISOString();
      });
  return m;
}

interface BackupsFixture {
  value: Array<{ properties: { completedTime: string } }>;
}

function backupsNow(ageHours: number): unknown {
  const b = fixture('backups.json') as BackupsFixture;
  const newest = Date.now() - ageHours * 3_600_000;
  b.value.forEach((x, i, all) => {
    x.properties.completedTime = new Date(newest - (all.length - 1 - i) * 86_400_000).toISOString();
  });
  return b;
}
