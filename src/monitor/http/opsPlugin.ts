import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config/schema.js';
import { evaluateAlerts } from '../alerts/evaluate.js';
import { DASHBOARD_HTML } from '../dashboard/page.js';
import type { SnapshotCache } from '../snapshotCache.js';
import { denied, OPS_COOKIE, opsAdminToken, presentedToken, tokenMatches } from './adminToken.js';
import { OpsHistory } from './opsSampler.js';

export interface OpsPluginOptions {
  cfg: Readonly<Config>;
  snapshots: SnapshotCache;
}

/** chart.js' UMD build, served from node_modules: the page needs no CDN (the package does not export the path, so it is found next to its main file). */
const chartJs = () =>
  readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js'), 'utf8');

/**
 * The operations dashboard: GET /ops (page), /ops/data (JSON), /ops/chart.js —
 * all behind the admin token. Samples for the charts are taken in the background.
 */
export const opsPlugin: FastifyPluginAsync<OpsPluginOptions> = async (app, { cfg, snapshots }) => {
  const token = opsAdminToken(cfg);
  const history = new OpsHistory(cfg.monitor.dashboard.points);
  const dbName = cfg.monitor.database ?? cfg.database.name;
  const chart = chartJs();
  const sample = async () => history.add(await snapshots.get(), dbName);
  let timer: NodeJS.Timeout | undefined;

  app.addHook('onReady', async () => {
    timer = setInterval(
      () => void sample().catch((e: Error) => app.log.warn({ err: e.message }, 'ops sample failed')),
      cfg.monitor.dashboard.sampleS * 1000,
    );
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
  app.addHook('onRequest', async (req, reply) => {
    if (!tokenMatches(presentedToken(req), token)) return denied(reply);
  });

  app.get('/ops', async (req, reply) => {
    const q = req.query as { token?: string };
    // First visit with ?token=: keep it in an HttpOnly cookie and drop it from the address bar and history.
    if (q.token) {
      return reply
        .header(
          'set-cookie',
          `${OPS_COOKIE}=${encodeURIComponent(q.token)}; Path=/ops; HttpOnly; SameSite=Strict${req.protocol === 'https' ? '; Secure' : ''}`,
        )
        .redirect('/ops');
    }
    return reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'",
      )
      .send(DASHBOARD_HTML);
  });
  app.get('/ops/chart.js', async (_req, reply) =>
    reply.type('application/javascript').header('cache-control', 'max-age=3600').send(chart),
  );
  app.get('/ops/data', async () => {
    const snap = await snapshots.get();
    if (!history.all().length || history.all().at(-1)!.t !== snap.at) history.add(snap, dbName);
    return { snapshot: snap, alerts: evaluateAlerts(cfg, snap), history: history.all(), database: dbName };
  });
};
