import type { Config } from '../../config/schema.js';
import { BillInquiryError } from '../../errors.js';
import { nodeApi, patroniRequest, type PatroniApi } from './rest.js';

/** A member as Patroni's `GET /cluster` reports it. */
export interface HaMember {
  name: string;
  /** leader, sync_standby, replica, standby_leader — or whatever a newer Patroni reports. */
  role: string;
  state: string;
  host: string;
  port: number;
  /** The member's own REST API (https://…/patroni). */
  api_url?: string;
  timeline?: number;
  /** Replication lag in bytes (replicas only; Patroni reports "unknown" when it cannot tell). */
  lag?: number | string;
  tags?: Record<string, unknown>;
}

export interface HaStatus {
  ok: boolean;
  scope: string;
  leader?: string;
  syncStandby?: string;
  timeline?: number;
  members: HaMember[];
}

/**
 * A Patroni cluster as its REST API sees it (asks each API until one
 * answers). `ok` = a running leader and every expected member (default: every
 * member listed) running or streaming.
 */
export async function patroniClusterStatus(
  apis: PatroniApi[],
  opts: { scope: string; expected?: string[]; timeoutMs: number },
): Promise<HaStatus> {
  for (const api of apis) {
    try {
      const res = await patroniRequest<{ members?: HaMember[]; scope?: string }>(api, 'GET', '/cluster', {
        timeoutMs: opts.timeoutMs,
      });
      if (res.status !== 200 || !res.body.members) continue;
      const members = res.body.members;
      const leader = members.find((m) => m.role === 'leader');
      const healthy = (m: HaMember) => ['running', 'streaming'].includes(m.state);
      const expected = opts.expected ?? members.map((m) => m.name);
      return {
        ok: !!leader && healthy(leader) && expected.every((n) => members.some((m) => m.name === n && healthy(m))),
        scope: res.body.scope ?? opts.scope,
        leader: leader?.name,
        syncStandby: members.find((m) => m.role === 'sync_standby')?.name,
        timeline: leader?.timeline,
        members,
      };
    } catch {
      // this API is down: ask the next one
    }
  }
  throw new BillInquiryError(
    'HA_DOWN',
    `no Patroni REST API answers (${apis.map((a) => a.url).join(', ')})`,
    'start the HA cluster with `bill-inquiry cluster up --ha` (or check the configured Patroni endpoints)',
  );
}

/** This data dir's HA topology as Patroni sees it. */
export const haStatus = (cfg: Readonly<Config>): Promise<HaStatus> =>
  patroniClusterStatus(
    cfg.ha.nodes.map((n) => nodeApi(cfg, n)),
    { scope: cfg.ha.scope, expected: cfg.ha.nodes.map((n) => n.name), timeoutMs: cfg.ha.locatorProbeTimeoutMs },
  );
