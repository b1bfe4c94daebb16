import { z } from 'zod';

const port = z.number().int().min(1).max(65535);

/** One Patroni-managed PostgreSQL node: its PostgreSQL and REST API ports (loopback). */
const haNode = z.object({
  /** Patroni member name (also its directory under `<dataDir>/ha/`). */
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  /** The node's PostgreSQL port. */
  pgPort: port,
  /** The node's Patroni REST API port (leader discovery, switchover). */
  restPort: port,
  /**
   * `sync`: candidate synchronous standby and failover target (plan §2.2/§7.2);
   * `async`: read replica tagged nofailover + nosync — it serves reads and the
   * region-failure promotion (`cluster promote-replica`) but never wins an election.
   */
  kind: z.enum(['sync', 'async']),
});

/**
 * High availability (plan §2.2 failover ≤ 60 s, §7 replication): etcd plus
 * three Patroni nodes on 127.0.0.1. Timing defaults are tuned for the
 * issue's ≤ 10 s write-unavailability target (see docs/ha-backup.md).
 */
export const haSection = z.object({
  /** Patroni scope (cluster name in etcd). */
  scope: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/)
    .default('bill-inquiry'),
  /**
   * true: `cluster up --ha` runs its own single-member etcd under the data dir;
   * false: use an etcd that is already running on etcdClientPort (refuses to start when it is down).
   */
  manageEtcd: z.boolean().default(true),
  /** etcd's client port (Patroni's DCS). */
  etcdClientPort: port.default(23790),
  /** etcd's peer port. */
  etcdPeerPort: port.default(23800),
  /** The Patroni nodes (§2.2, §7.2): two synchronous candidates and one async read replica by default. */
  nodes: z
    .array(haNode)
    .min(2)
    .default([
      { name: 'node1', pgPort: 54330, restPort: 8108, kind: 'sync' },
      { name: 'node2', pgPort: 54331, restPort: 8109, kind: 'sync' },
      { name: 'node3', pgPort: 54332, restPort: 8110, kind: 'async' },
    ]),
  /**
   * Leader lock TTL (s). Patroni requires ttl ≥ loop_wait + 2 × retry_timeout;
   * 10 ≥ 1 + 2 × 4. It only matters when a whole node (Patroni too) vanishes.
   */
  ttl: z.number().int().min(5).default(10),
  /** HA loop period (s): a crashed postmaster is noticed within ~1 s. */
  loopWait: z.number().int().min(1).default(1),
  /** DCS / PostgreSQL operation retry budget (s) before Patroni demotes itself. */
  retryTimeout: z.number().int().min(1).default(4),
  /**
   * Seconds a crashed primary may take to recover in place before Patroni fails
   * over. 0 = promote the synchronous standby at once: safe only because
   * synchronous_mode guarantees it has every acknowledged commit (§2.2 RPO).
   */
  primaryStartTimeoutS: z.number().int().min(0).default(0),
  /** No acknowledged commit is lost on failover: commits wait for the sync standby. */
  synchronousMode: z.boolean().default(true),
  /** Max WAL bytes a failover candidate may lag (plan §7.2 replication lag alarm, 1 MB). */
  maximumLagOnFailoverBytes: z.number().int().positive().default(1048576),
  /**
   * `drill failover` targets (s) for writes to be durable again: a crashed
   * postmaster (Patroni notices within loop_wait) and a whole node lost with
   * its Patroni (the leader lock must expire first: ≤ ttl), which is the plan's
   * §2.2 failover promise.
   */
  drillTargets: z
    .object({
      /** A crashed postmaster: writes durable again within this (s). */
      postgresCrashS: z.number().positive().default(10),
      /** A whole node lost with its Patroni: §2.2's 60 s failover. */
      nodeCrashS: z.number().positive().default(60),
    })
    .prefault({}),
  /** Seconds to wait for a leader after `cluster up --ha` / a switchover. */
  startTimeoutS: z.number().int().positive().default(90),
  /** How long (ms) the locator trusts one answer about who is primary before asking Patroni again. */
  locatorCacheMs: z.number().int().min(0).default(1000),
  /** Per-request timeout (ms) of the locator's REST probes: a dead node must not stall discovery. */
  locatorProbeTimeoutMs: z.number().int().positive().default(700),
});
export type HaConfig = z.infer<typeof haSection>;
export type HaNodeConfig = HaConfig['nodes'][number];
