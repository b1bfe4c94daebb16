import type { KosMock } from '../../kos/mock/server.js';
import { BillInquiryError } from '../../errors.js';
import { sleep } from '../../system/poll.js';
import type { LocalTopology, Topology } from '../../topology/types.js';
import { signalTree } from './processTree.js';
import type { ServeProcess } from './serveProcess.js';

export const FAULT_KINDS = ['postgres-kill', 'postgres-stall', 'service-kill', 'kos-failure'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What tells that a fault is over: writes durable again, the service answering, or KOS calls succeeding. */
export type Recovery = 'durable' | 'answering' | 'kos';

export interface FaultTargets {
  topology: Topology & { local: LocalTopology };
  services: readonly ServeProcess[];
  kos: KosMock;
  /** How long a stall or a KOS outage lasts (ms); random within the range per fault. */
  holdMs: readonly [number, number];
}

export interface Injected {
  /** What was hit, for the report (e.g. `postmaster pid 1234 (node2)`). */
  target: string;
  /** Resolves when the fault is lifted (at once for a kill; after the hold for a stall or an outage). */
  lifted: Promise<void>;
  recovery: Recovery;
}

/**
 * Injects one real fault. Kills are not undone by the drill (except the
 * service, which it restarts as a process manager would): Patroni fails over,
 * or on the single node the supervisor in `serve` starts PostgreSQL again.
 */
export async function inject(kind: FaultKind, t: FaultTargets): Promise<Injected> {
  const hold = t.holdMs[0] + Math.floor(Math.random() * (t.holdMs[1] - t.holdMs[0]));
  switch (kind) {
    case 'postgres-kill': {
      const { pid, member } = await primaryPostmaster(t.topology);
      process.kill(pid, 'SIGKILL');
      return { target: `postmaster pid ${pid} (${member})`, lifted: Promise.resolve(), recovery: 'durable' };
    }
    case 'postgres-stall': {
      const { pid, member } = await primaryPostmaster(t.topology);
      // The postmaster first, so it starts no new backend while the others are stopped.
      const stopped = signalTree(pid, 'SIGSTOP');
      const lifted = sleep(hold).then(() => void signalTree(pid, 'SIGCONT', stopped));
      return {
        target: `postmaster pid ${pid} (${member}) and its ${stopped.length - 1} children stopped ${hold} ms`,
        lifted,
        recovery: 'durable',
      };
    }
    case 'service-kill': {
      const victim = t.services[Math.floor(Math.random() * t.services.length)]!;
      const pid = victim.pid;
      await victim.crash();
      // A process manager starts it again at once; its journal is replayed while it serves.
      return { target: `serve pid ${pid}`, lifted: victim.start(), recovery: 'answering' };
    }
    case 'kos-failure': {
      t.kos.scenario.httpError = true;
      const lifted = sleep(hold).then(() => void (t.kos.scenario.httpError = false));
      return { target: `KOS answering HTTP 500 for ${hold} ms`, lifted, recovery: 'kos' };
    }
  }
}

/** The current primary's postmaster, found through the topology (the locator asked afresh). */
async function primaryPostmaster(topology: Topology & { local: LocalTopology }) {
  topology.locator.invalidate?.();
  const primary = await topology.locator.primary();
  const member = (await topology.members()).find(
    (m) => m.endpoint.port === primary.port && m.endpoint.host === primary.host,
  );
  const pid = (await topology.local.processes()).find((p) => p.member === member?.name)?.postmaster;
  if (!member || !pid)
    throw new BillInquiryError(
      'DRILL_NO_LEADER',
      `no running postmaster for the primary on ${primary.host}:${primary.port}`,
      'check `bill-inquiry cluster status`',
    );
  return { pid, member: member.name };
}
