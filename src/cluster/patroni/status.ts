import type { Config } from '../../config/schema.js';
import { BillInquiryError } from '../../errors.js';
import { patroniRequest } from './rest.js';

/** A member as Patroni's `GET /cluster` reports it. */
export interface HaMember {
  name: string;
  /** leader, sync_standby, replica, standby_leader — or whatever a newer Patroni reports. */
  role: string;
  state: string;
  host: string;
  port: number;
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
 * The HA cluster as Patroni sees it (asks each node's REST API until one
 * answers). `ok` = a running leader and every configured member running or streaming.
 */
export async function haStatus(cfg: Readonly<Config>): Promise<HaStatus> {
  for (const node of cfg.ha.nodes) {
    try {
      const res = await patroniRequest<{ members?: HaMember[] }>(cfg, node, 'GET', '/cluster');
      if (res.status !== 200 || !res.body.members) continue;
      const members = res.body.members;
      const leader = members.find((m) => m.role === 'leader');
      const healthy = (m: HaMember) => ['running', 'streaming'].includes(m.state);
      return {
        ok:
          !!leader &&
          healthy(leader) &&
          cfg.ha.nodes.every((n) => members.some((m) => m.name === n.name && healthy(m))),
        scope: cfg.ha.scope,
        leader: leader?.name,
        syncStandby: members.find((m) => m.role === 'sync_standby')?.name,
        timeline: leader?.timeline,
        members,
      };
    } catch {
      // this node is down: ask the next one
    }
  }
  throw new BillInquiryError(
    'HA_DOWN',
    `no Patroni REST API answers on ports ${cfg.ha.nodes.map((n) => n.restPort).join(', ')}`,
    'start the HA cluster with `bill-inquiry cluster up --ha`',
  );
}
