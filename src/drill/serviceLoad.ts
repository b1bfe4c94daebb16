import { startKosMock } from '../kos/mock/server.js';
import { applyDatabase } from '../platform/apply.js';
import { issueToken } from '../service/auth/tokens.js';
import { startService } from '../service/start.js';
import type { Topology } from '../topology/types.js';
import { withClient } from './directLoad.js';
import type { LoadDriver } from './loadDriver.js';
import { HISTORY_PRESENT } from './sql.js';

/** A request that takes longer than this counts as failed: the service must answer 503 fast, not hang. */
const REQUEST_TIMEOUT_MS = 5000;
const ACKNOWLEDGED = new Set([200, 202]);

/**
 * The real service (startService on the topology: the Patroni locator, KOS mock over
 * HTTP) under POST /bills/inquiry load. An inquiry is acknowledged when the
 * service answers 200/202; afterwards every acknowledged request id must have
 * its bill_inquiry_history row on the new primary. The service queues history
 * and writes it in batches, so HTTP answers can continue through a failover:
 * the drill therefore also measures when history rows land again.
 */
export async function serviceLoad(topology: Topology, writers: number): Promise<LoadDriver> {
  const cfg = topology.cfg;
  const admin = (database: string) => topology.admin(database);
  await applyDatabase(cfg, await admin('postgres'));
  const kos = await startKosMock(cfg.service.kosMock, { protocol: cfg.service.kosProtocol });
  const service = await startService(cfg, { port: 0, kosUrl: kos.url, topology });
  // One line per writer: lines ending 0000/9999 are the mock's "unknown"/"no bills" cases.
  const tokens = Array.from({ length: writers }, (_, i) => {
    const line = `010-5555-${String(1201 + i).padStart(4, '0')}`;
    return { line, token: issueToken(cfg, { userId: `drill-user-${i}`, lines: [line] }) };
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await service.stop();
    await kos.close();
  };
  return {
    description: `${writers} clients POSTing /bills/inquiry to the service (Patroni locator, KOS mock)`,
    async attempt(writer) {
      const { line, token } = tokens[writer]!;
      const res = await fetch(`${service.url}/bills/inquiry`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ lineNumber: line }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = (await res.json()) as { data?: { requestId?: string } };
      if (!ACKNOWLEDGED.has(res.status) || !body.data?.requestId) throw new Error(`HTTP ${res.status}`);
      return body.data.requestId;
    },
    async persisted(ids) {
      try {
        const r = await withClient(await admin(cfg.database.name), (c) =>
          c.query<{ n: string }>(HISTORY_PRESENT, [ids]),
        );
        return Number(r.rows[0]!.n) > 0;
      } catch {
        return false;
      }
    },
    async lost(acknowledged) {
      // Stopping the service flushes its queued history (retrying on the new primary).
      await stop();
      const found = await withClient(await admin(cfg.database.name), (c) =>
        c.query<{ n: string }>(HISTORY_PRESENT, [acknowledged]),
      );
      return acknowledged.length - Number(found.rows[0]!.n);
    },
    close: stop,
  };
}
