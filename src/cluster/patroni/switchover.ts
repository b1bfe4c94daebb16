import type { Config } from '../../config/schema.js';
import { BillInquiryError } from '../../errors.js';
import { nodeApi, patroniRequest } from './rest.js';
import { haStatus, type HaStatus } from './status.js';
import { probe, waitFor } from './lifecycle.js';

const SWITCHOVER_REQUEST_TIMEOUT_MS = 60_000;

/**
 * Planned switchover (maintenance): Patroni demotes the leader and promotes
 * `candidate` (default: the synchronous standby, which has every commit);
 * returns once the candidate answers /primary.
 */
export async function switchover(
  cfg: Readonly<Config>,
  candidate?: string,
): Promise<{ from: string; to: string; status: HaStatus; seconds: number }> {
  const before = await haStatus(cfg);
  const leader = before.leader;
  const to =
    candidate ?? before.syncStandby ?? before.members.find((m) => m.role !== 'leader' && !m.tags?.nofailover)?.name;
  if (!leader)
    throw new BillInquiryError(
      'NO_LEADER',
      'the HA cluster has no leader to switch over from',
      'check `bill-inquiry cluster status`',
    );
  if (!to || to === leader)
    throw new BillInquiryError(
      'NO_CANDIDATE',
      'no healthy standby can take over',
      'check `bill-inquiry cluster status`',
    );
  const target = cfg.ha.nodes.find((n) => n.name === to);
  if (!target)
    throw new BillInquiryError(
      'UNKNOWN_MEMBER',
      `no HA member named ${to}`,
      `choose one of ${cfg.ha.nodes.map((n) => n.name).join(', ')}`,
    );
  if (target.kind === 'async')
    throw new BillInquiryError(
      'NOFAILOVER',
      `${to} is the read replica (nofailover)`,
      'switch over to the synchronous standby, or use `cluster promote-replica` for a region failure',
    );
  const leaderNode = cfg.ha.nodes.find((n) => n.name === leader)!;
  const started = Date.now();
  const res = await patroniRequest<string>(nodeApi(cfg, leaderNode), 'POST', '/switchover', {
    body: { leader, candidate: to },
    timeoutMs: SWITCHOVER_REQUEST_TIMEOUT_MS,
  });
  if (res.status !== 200)
    throw new BillInquiryError(
      'SWITCHOVER_FAILED',
      `Patroni refused the switchover (${res.status}): ${String(res.body)}`,
      'check `bill-inquiry cluster status`',
    );
  await waitFor(cfg, `${to} to become leader`, async () => (await probe(cfg, target, '/primary')) === 200);
  const seconds = (Date.now() - started) / 1000;
  await waitFor(cfg, 'the old leader to rejoin as a standby', async () => (await haStatus(cfg)).ok);
  return { from: leader, to, status: await haStatus(cfg), seconds };
}
