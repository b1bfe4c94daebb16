import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LocalInstance } from '../src/cluster/local/localCluster.js';
import { loadConfig } from '../src/config/load.js';
import { availableMonths, currentMonth } from '../src/service/bills/months.js';
import { journalRoot } from '../src/service/history/historyWriter.js';
import { freePort } from '../src/system/freePort.js';
import { cli, startCli, type RunningCli } from './helpers/cli.js';
import { tempDataDir } from './helpers/tempCluster.js';

const HIT_LINE = '010-5151-1000';
const MISS_LINE = '010-5151-2000';
const WORKERS = 16;

/**
 * Issue 9's "Done when": nothing acknowledged is lost when PostgreSQL and then
 * the service itself are killed under load. Everything is real: `serve` in a
 * child process (database started and applied by it, KOS mock in-process), the
 * postmaster and serve both killed with SIGKILL, `cluster up` and `serve`
 * again, and the rows counted in bill_inquiry_history.
 */
test('kill -9 of PostgreSQL, then of serve, under load: after cluster up and serve, every acknowledged request is in bill_inquiry_history, and a second replay of the same journal changes nothing', async (t) => {
  const dataDir = tempDataDir();
  const [port, pgPort] = [await freePort(), await freePort()];
  const env = {
    BILL_INQUIRY__CLUSTER__PORT: String(pgPort),
    BILL_INQUIRY__SERVER__MEMORY_MB: '1024',
    BILL_INQUIRY__BACKUP__FIRST_BACKUP__ENABLED: 'false',
    // Cache misses answer 202 PROCESSING and finish in the background: each request journals two states and a KOS row.
    BILL_INQUIRY__SERVICE__PROCESSING_AFTER_MS: '100',
    BILL_INQUIRY__SERVICE__KOS_MOCK__LATENCY_MS: '300',
  };
  const cfg = loadConfig({ env: {}, overrides: { dataDir, cluster: { port: pgPort } } });
  const db = new LocalInstance(cfg, 'primary');
  const sql = <T extends object>(text: string, values: unknown[] = []) => db.query<T>(text, values, cfg.database.name);
  const base = `http://127.0.0.1:${port}`;
  const serve = () => {
    const s = startCli(['--data-dir', dataDir, 'serve', '--port', String(port)], { env });
    return s.waitFor('Ctrl-C').then(() => s);
  };
  let running: RunningCli | undefined;
  try {
    running = await serve();
    const tok = await cli(
      ['--data-dir', dataDir, 'token', '--user', 'journal-user', '--line', HIT_LINE, '--line', MISS_LINE],
      { env },
    );
    const auth = {
      authorization: `Bearer ${tok.stdout.trim().split('\n').at(-1)!}`,
      'content-type': 'application/json',
    };
    const months = availableMonths(currentMonth(cfg.database.timezone), 12);
    const inquire = async (lineNumber: string, inquiryMonth: string) => {
      const r = await fetch(`${base}/bills/inquiry`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ lineNumber, inquiryMonth }),
      });
      return { status: r.status, body: (await r.json()) as { data: { requestId: string } } };
    };
    // Warm-up: the first inquiry goes to KOS (202, slower than processingAfterMs); once it is back the bill is cached.
    let warm = 0;
    for (let i = 0; i < 30 && warm !== 200; i++) {
      warm = (await inquire(HIT_LINE, months[0]!)).status;
      if (warm !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(warm, 200, 'warm-up: the bill is cached');

    const acked: string[] = [];
    const statuses = new Map<number, number>();
    let killedPgAt = 0;
    let ackedAfterPgKill = 0;
    let load = true;
    const record = (r: { status: number; body: { data: { requestId: string } } }) => {
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status !== 200 && r.status !== 202) return;
      acked.push(r.body.data.requestId);
      if (killedPgAt) ackedAfterPgKill++;
    };
    const hitWorker = async () => {
      while (load) await inquire(HIT_LINE, months[0]!).then(record, () => undefined);
    };
    const workers = Array.from({ length: WORKERS }, hitWorker);
    await new Promise((r) => setTimeout(r, 1500));

    const pid = Number(readFileSync(path.join(db.paths.pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    killedPgAt = Date.now();
    // During the outage: cache misses too (KOS rows, PROCESSING then final state), all only in the journal.
    for (const m of months.slice(1, 9)) await inquire(MISS_LINE, m).then(record, () => undefined);
    await new Promise((r) => setTimeout(r, Math.max(0, killedPgAt + 3000 - Date.now())));
    assert.ok(ackedAfterPgKill > 20, `requests are still acknowledged with PostgreSQL dead (${ackedAfterPgKill})`);

    await running.crash();
    running = undefined;
    load = false;
    await Promise.all(workers);
    t.diagnostic(
      `acknowledged ${acked.length} (${ackedAfterPgKill} after the PostgreSQL kill); statuses ${JSON.stringify([...statuses])}`,
    );
    assert.deepEqual(
      [...statuses.keys()].filter((s) => s !== 200 && s !== 202),
      [],
      'no request failed while the database was down',
    );

    // What the killed service left: its journal, holding every row the database had not committed.
    const root = journalRoot(dataDir);
    const left = readdirSync(root);
    assert.equal(left.length, 1);
    const leftBytes = readdirSync(path.join(root, left[0]!)).reduce(
      (n, f) => n + statSync(path.join(root, left[0]!, f)).size,
      0,
    );
    assert.ok(leftBytes > 0, 'the journal holds the rows');
    const copy = path.join(dataDir, 'journal-copy');
    cpSync(path.join(root, left[0]!), copy, { recursive: true });

    const upAt = Date.now();
    assert.equal((await cli(['--data-dir', dataDir, 'cluster', 'up'], { env })).code, 0);
    t.diagnostic(
      `cluster up after the kill -9 (crash recovery included) took ${((Date.now() - upAt) / 1000).toFixed(1)} s`,
    );
    const before = await found(sql, acked);
    t.diagnostic(`${acked.length - before} acknowledged requests were only in the journal when serve was killed`);
    assert.ok(before < acked.length, 'the test reaches the journal: some acknowledged rows were not in the database');

    running = await serve();
    const until = Date.now() + 90_000;
    while ((await found(sql, acked)) < acked.length && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
    assert.equal(await found(sql, acked), acked.length, 'every acknowledged request is in bill_inquiry_history');
    const ready = await readyJournal(base);
    assert.ok(ready.replayedRows > 0, 'rows were replayed from the journal');
    await waitDrained(base);
    assert.equal(existsSync(path.join(root, left[0]!)), false, 'the replayed journal is gone once committed');

    const rows = async () =>
      sql<{ bills: string; kos: string; dup_kos: string; processing: string }>(
        `SELECT (SELECT count(*) FROM bill_inquiry_history WHERE request_id = ANY($1)) AS bills,
                (SELECT count(*) FROM kos_inquiry_history WHERE bill_request_id = ANY($1)) AS kos,
                (SELECT count(*) FROM (SELECT bill_request_id FROM kos_inquiry_history WHERE bill_request_id = ANY($1)
                   GROUP BY bill_request_id HAVING count(*) > 1) d) AS dup_kos,
                (SELECT count(*) FROM bill_inquiry_history WHERE request_id = ANY($1) AND status = 'PROCESSING') AS processing`,
        [acked],
      ).then((r) => r[0]!);
    const first = await rows();
    assert.ok(Number(first.kos) > 0, 'KOS rows of the outage were replayed');
    assert.equal(first.dup_kos, '0');

    // The same journal once more (as if the service had died right after the database committed it):
    // replaying rows the database already holds must change nothing.
    assert.equal(await running.stop(), 0);
    running = undefined;
    cpSync(copy, path.join(root, left[0]!), { recursive: true });
    running = await serve();
    await waitDrained(base);
    assert.equal(existsSync(path.join(root, left[0]!)), false, 'the second copy was claimed and replayed');
    assert.ok((await readyJournal(base)).replayedRows > 0);
    assert.deepEqual(await rows(), first, 'no duplicate KOS row, no final state turned back to PROCESSING');
  } finally {
    await running?.stop();
    await cli(['--data-dir', dataDir, 'cluster', 'down'], { env });
  }
});

async function found(
  sql: <T extends object>(text: string, values?: unknown[]) => Promise<T[]>,
  ids: string[],
): Promise<number> {
  const r = await sql<{ n: string }>('SELECT count(*) AS n FROM bill_inquiry_history WHERE request_id = ANY($1)', [
    ids,
  ]);
  return Number(r[0]!.n);
}

interface ReadyJournal {
  bytes: number;
  outstandingRows: number;
  replayedRows: number;
  replayPendingSegments: number;
}

async function readyJournal(base: string): Promise<ReadyJournal> {
  const r = (await fetch(`${base}/ready`).then((x) => x.json())) as { data: { history: { journal: ReadyJournal } } };
  return r.data.history.journal;
}

/** Until the service holds no journal rows the database has not committed. */
async function waitDrained(base: string): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    const j = await readyJournal(base);
    if (j.outstandingRows === 0 && j.replayPendingSegments === 0) return;
    if (Date.now() > until) assert.fail(`the journal did not drain: ${JSON.stringify(j)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
