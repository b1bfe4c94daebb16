/**
 * The floors of `npm run bench`: for each scenario, a bare Fastify handler that
 * does the same I/O as the service with no product logic (no auth, no schema,
 * no cache, no history queue, no encryption, no monitoring hooks). Its own
 * process, so its CPU is measured like the service's. Prints {url} when ready.
 *
 *   POST /floor/hit      the bytes of a real cache-hit answer (captured from the service), serialized per request
 *   POST /floor/miss     the KOS mock through undici, then one row INSERTed through a pg pool (TLS, bill_app_user)
 *   GET  /floor/history  the service's history-page SQL through a pg pool of cfg.pool.size (TLS, bill_app_user)
 *   GET  /floor/fixed    fixed small JSON: the framework's own ceiling on this machine
 *   GET  /floor/served   answers given so far (itself not counted)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Fastify, { LogController } from 'fastify';
import pg from 'pg';
import { Pool as HttpPool } from 'undici';
import { LocalInstance } from '../src/cluster/local/localCluster.js';
import { loadConfig } from '../src/config/load.js';
import { clientConfig } from '../src/db/connection.js';
import { DESIGN_PATHS } from '../src/kos/protocols/design.js';
import { rolePassword } from '../src/platform/roleTargets.js';
import { SELECT_HISTORY_PAGE } from '../src/service/db/sql/history.js';
import { FLOOR_TABLE } from './stack.js';

const { values: a } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
    'kos-url': { type: 'string' },
    'hit-response': { type: 'string' },
    'history-user': { type: 'string', default: 'bench-history' },
    'history-line': { type: 'string', default: '010-1000-2000' },
  },
});

const cfg = loadConfig({ file: a.config, overrides: { dataDir: a['data-dir'] } });
const hitAnswer: unknown = JSON.parse(readFileSync(a['hit-response']!, 'utf8'));
const target = new LocalInstance(cfg, 'primary').target(
  cfg.database.name,
  cfg.database.roles.app,
  rolePassword(cfg, 'app'),
);
// The service's pool figures (plan §5.2) and TLS.
const db = new pg.Pool({
  ...clientConfig({ ...target, applicationName: 'bill-inquiry-bench-floor' }),
  max: cfg.pool.size,
  idleTimeoutMillis: cfg.pool.idleTimeoutMs,
});
db.on('error', () => undefined);
const kos = new HttpPool(a['kos-url']!, { connections: cfg.service.kosConnections });

const app = Fastify({ logController: new LogController({ disableRequestLogging: true }) });
// Answers given, for the bench's CPU per request (the service counts its own in /metrics).
let served = 0;
app.addHook('onResponse', (_req, _reply, done) => {
  served++;
  done();
});
app.get('/floor/served', async () => {
  const n = served;
  served--; // this answer's own onResponse adds it back
  return String(n);
});

app.get('/floor/fixed', async () => ({ success: true, data: { status: 'UP' }, message: 'OK' }));

app.post('/floor/hit', async () => hitAnswer);

app.post<{ Body: { lineNumber: string; inquiryMonth: string } }>('/floor/miss', async (req) => {
  const { lineNumber, inquiryMonth } = req.body;
  const res = await kos.request({
    method: 'POST',
    path: DESIGN_PATHS.bill,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lineNumber: lineNumber.replaceAll('-', ''), inquiryMonth: inquiryMonth.replace('-', '') }),
  });
  const answer = (await res.body.json()) as { data: unknown };
  const bill = JSON.stringify(answer.data);
  await db.query({
    name: 'floor_row',
    text: `INSERT INTO ${FLOOR_TABLE} (line_number, inquiry_month, body) VALUES ($1, $2, $3)`,
    values: [lineNumber, inquiryMonth, bill],
  });
  return { success: true, data: { status: 'COMPLETED', billInfo: answer.data }, message: 'bill inquiry completed' };
});

app.get('/floor/history', async () => {
  const { rows } = await db.query({
    name: 'history_page',
    text: SELECT_HISTORY_PAGE,
    values: [a['history-user'], [a['history-line']], null, null, null, 20, 0],
  });
  return { success: true, data: { items: rows }, message: 'OK' };
});

const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url })}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void app
      .close()
      .then(() => Promise.all([db.end(), kos.close()]))
      .finally(() => process.exit(0));
  });
