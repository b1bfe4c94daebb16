import type { Config } from '../config/schema.js';
import { alive } from '../cluster/patroni/daemon.js';
import { nodePatroniPid, nodePostmasterPid, waitFor } from '../cluster/patroni/lifecycle.js';
import { haStatus, type HaStatus } from '../cluster/patroni/status.js';
import { BillInquiryError } from '../errors.js';
import { poll, sleep } from '../system/poll.js';
import { openTopology } from '../topology/open.js';
import { directLoad } from './directLoad.js';
import type { LoadDriver } from './loadDriver.js';
import { serviceLoad } from './serviceLoad.js';
import { round } from './round.js';

export type CrashKind = 'postgres' | 'node';

export interface FailoverDrillOptions {
  /** `service`: the Bill-Inquiry service under HTTP load (default); `direct`: INSERTs through the locator. */
  via?: 'service' | 'direct';
  /**
   * `postgres` (default): kill -9 of the leader's postmaster, Patroni lives on and hands over.
   * `node`: kill -9 of the leader's Patroni and postmaster together (the server is gone);
   * the drill then starts that node again, as an operator would, and it rejoins as a replica.
   */
  crash?: CrashKind;
  /** Concurrent writers. */
  writers?: number;
  /** Seconds of steady load before the crash. */
  warmupS?: number;
  /** Seconds of load after the first write succeeds again. */
  settleS?: number;
}

export interface FailoverDrillResult {
  ok: boolean;
  /**
   * Seconds from kill -9 of the leader's postmaster until writes are durable
   * again: a write started after the kill is acknowledged AND on the new primary.
   */
  unavailable_s: number;
  /** Seconds until the service acknowledged a request started after the kill (HTTP view). */
  acknowledge_unavailable_s: number;
  /** Acknowledged writes the new primary does not have (must be 0). */
  lost_acknowledged_writes: number;
  /** Write attempts that failed (503, refused, reset, timeout) from the kill on. */
  failed_requests: number;
  /** Slowest failed attempt (ms): failures must be fast, not hangs. */
  slowest_failure_ms: number;
  acknowledged_writes: number;
  leader_before: string;
  leader_after: string;
  crash: CrashKind;
  target_s: number;
  load: string;
}

const RETRY_PAUSE_MS = 50;
const DEFAULT_WRITERS = 4;

/**
 * Failover drill: writers load the primary, the leader's postmaster gets
 * kill -9, and we measure how long writes are refused, how many attempts
 * failed, and whether every acknowledged write survived on the new primary.
 */
export async function failoverDrill(
  cfg: Readonly<Config>,
  opts: FailoverDrillOptions = {},
): Promise<FailoverDrillResult> {
  const topology = openTopology(cfg);
  if (topology.kind !== 'ha' || !topology.local)
    throw new BillInquiryError(
      'NOT_HA',
      'the failover drill needs the HA topology this tool runs (Patroni nodes to crash)',
      'start it with `bill-inquiry cluster up --ha`',
    );
  // A drill right after another one must wait for the synchronous standby to be back: only it may be promoted.
  await waitFor(cfg, 'a healthy cluster with a synchronous standby', async () => ready(cfg, await haStatus(cfg)));
  const before = await haStatus(cfg);
  const locator = topology.locator;
  // REST probes can time out on a busy machine: setup waits for an answer instead of failing the drill.
  await waitFor(cfg, 'the locator to find the primary', async () => !!(await locator.primary()));
  const writers = opts.writers ?? DEFAULT_WRITERS;
  const crash = opts.crash ?? 'postgres';
  const targetS = crash === 'node' ? cfg.ha.drillTargets.nodeCrashS : cfg.ha.drillTargets.postgresCrashS;
  const driver = opts.via === 'direct' ? await directLoad(topology) : await serviceLoad(topology, writers);
  try {
    const m = await measure(cfg, driver, before.leader!, writers, { ...opts, crash });
    // A lost node comes back only when someone starts it: do what the operator would (`cluster up --ha`).
    if (crash === 'node') await topology.local.up();
    locator.invalidate?.();
    await waitFor(cfg, 'the locator to find the new primary', async () => !!(await locator.primary()));
    // Right after the kill the locator may still name the dead leader for a moment: count the
    // losses once the new primary answers, asking the locator again after each refusal.
    let lost = Number.NaN;
    await waitFor(cfg, 'the new primary to answer the loss count', async () => {
      try {
        lost = await driver.lost(m.acked);
        return true;
      } catch {
        locator.invalidate?.();
        return false;
      }
    });
    await waitFor(cfg, 'the crashed node to rejoin', async () => ready(cfg, await haStatus(cfg)));
    const after = await haStatus(cfg);
    return {
      ok: m.unavailableS <= targetS && lost === 0,
      unavailable_s: round(m.unavailableS),
      acknowledge_unavailable_s: round(m.ackUnavailableS),
      lost_acknowledged_writes: lost,
      failed_requests: m.failed,
      slowest_failure_ms: m.slowestFailureMs,
      acknowledged_writes: m.acked.length,
      leader_before: before.leader!,
      leader_after: after.leader ?? '(none)',
      crash,
      target_s: targetS,
      load: driver.description,
    };
  } finally {
    await driver.close();
  }
}

const ready = (cfg: Readonly<Config>, s: HaStatus) =>
  s.ok && !!s.leader && (!cfg.ha.synchronousMode || !!s.syncStandby);
const DURABLE_POLL_MS = 100;

/** Load, kill, recovery; exported for its unit test (the writers stop on every way out). */
export async function measure(
  cfg: Readonly<Config>,
  driver: LoadDriver,
  leader: string,
  writers: number,
  opts: FailoverDrillOptions,
) {
  const acked: string[] = [];
  const afterKill: { id: string; at: number }[] = [];
  let lastFailureAt = 0;
  let failed = 0;
  let slowestFailureMs = 0;
  let killedAt = 0;
  let stop = false;
  const writer = async (w: number) => {
    while (!stop) {
      const startedAt = Date.now();
      try {
        const id = await driver.attempt(w);
        acked.push(id);
        if (killedAt && startedAt > killedAt) afterKill.push({ id, at: Date.now() });
      } catch {
        if (killedAt) {
          failed++;
          lastFailureAt = Date.now();
          slowestFailureMs = Math.max(slowestFailureMs, Date.now() - startedAt);
        }
        await sleep(RETRY_PAUSE_MS);
      }
    }
  };
  const running = Array.from({ length: writers }, (_, w) => writer(w));
  let pid: number | undefined;
  let recovered: { resumedAt: number; durableAt: number };
  // Whatever goes wrong from here, the writers stop: left running they keep the CLI from exiting.
  try {
    await sleep((opts.warmupS ?? 2) * 1000);
    const node = cfg.ha.nodes.find((n) => n.name === leader)!;
    pid = nodePostmasterPid(cfg, node);
    if (!pid)
      throw new BillInquiryError(
        'DRILL_NO_LEADER',
        `the leader ${leader} has no running postmaster`,
        'check `bill-inquiry cluster status`',
      );
    const patroni = opts.crash === 'node' ? nodePatroniPid(cfg, node) : undefined;
    if (opts.crash === 'node' && !patroni)
      throw new BillInquiryError(
        'DRILL_NO_LEADER',
        `the leader ${leader} has no running Patroni`,
        'check `bill-inquiry cluster status`',
      );
    killedAt = Date.now();
    if (patroni) process.kill(patroni, 'SIGKILL');
    process.kill(pid, 'SIGKILL');
    recovered = await awaitRecovery(driver, {
      afterKill,
      lastFailureAt: () => lastFailureAt,
      deadline: killedAt + cfg.ha.startTimeoutS * 1000,
      settleMs: (opts.settleS ?? 2) * 1000,
    });
  } finally {
    stop = true;
    await Promise.all(running);
  }
  const { resumedAt, durableAt } = recovered;
  await poll(() => !alive(pid), { timeoutMs: cfg.ha.startTimeoutS * 1000, intervalMs: 50 });
  const since = (t: number) => (t ? (t - killedAt) / 1000 : Number.POSITIVE_INFINITY);
  return {
    acked,
    failed,
    slowestFailureMs,
    unavailableS: Math.max(since(durableAt), since(resumedAt)),
    ackUnavailableS: since(resumedAt),
  };
}

interface RecoveryWatch {
  afterKill: readonly { id: string; at: number }[];
  lastFailureAt: () => number;
  deadline: number;
  settleMs: number;
}

/**
 * Waits until writes are back for good: acknowledged after the last failure
 * and durable on the current primary, with no new failure for `settleMs`.
 * Backends of a killed postmaster may still acknowledge a few writes before
 * they notice, so an early acknowledgement followed by failures does not count.
 */
async function awaitRecovery(driver: LoadDriver, w: RecoveryWatch): Promise<{ resumedAt: number; durableAt: number }> {
  let resumedAt = 0;
  let durableAt = 0;
  await poll(
    async () => {
      const lastFailure = w.lastFailureAt();
      const since = w.afterKill.filter((a) => a.at > lastFailure);
      resumedAt = since[0]?.at ?? 0;
      if (durableAt <= lastFailure) durableAt = 0;
      if (resumedAt && !durableAt && (await driver.persisted(since.map((a) => a.id)))) durableAt = Date.now();
      return (
        !!durableAt && Date.now() - Math.max(durableAt, lastFailure) >= w.settleMs && w.lastFailureAt() === lastFailure
      );
    },
    { timeoutMs: Math.max(0, w.deadline - Date.now()), intervalMs: DURABLE_POLL_MS },
  );
  return { resumedAt, durableAt };
}
