/**
 * CPU time of the processes a scenario keeps busy, read from /proc (Linux),
 * and of the whole machine: the service, the floor, the KOS mock and the bench's
 * own PostgreSQL cluster are each a process tree (a root and its direct
 * children; PostgreSQL's backends are children of the postmaster). Only our own
 * trees are counted, so other people's servers on a shared machine are not
 * billed to us; they show up as `machineOther`.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** USER_HZ: /proc counts CPU time in 1/100 s on Linux. */
export const TICKS_PER_S = 100;

interface ProcStat {
  ppid: number;
  /** utime + stime */
  own: number;
  /** cutime + cstime: children this process has reaped */
  reaped: number;
}

function stat(pid: number | string): ProcStat | undefined {
  try {
    // After "(comm) ": state, ppid, … utime (12th), stime, cutime, cstime.
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
    return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined; // the process ended while we looked
  }
}

/** The root's own and reaped ticks, and each live direct child's ticks. */
interface TreeSample {
  root: ProcStat | undefined;
  children: Map<number, number>;
}

function sampleTree(root: number, all: Map<number, ProcStat>): TreeSample {
  const children = new Map<number, number>();
  for (const [pid, s] of all) if (s.ppid === root) children.set(pid, s.own);
  return { root: all.get(root), children };
}

/**
 * Ticks a tree used between two samples: the root's own; each child alive at
 * the end (minus what it had at the start); each child that ended meanwhile:
 * what the root reaped, minus what those children had already used at the start.
 */
function treeDelta(a: TreeSample, b: TreeSample): number {
  if (!a.root || !b.root) return 0;
  let ticks = b.root.own - a.root.own + (b.root.reaped - a.root.reaped);
  for (const [pid, t] of b.children) ticks += t - (a.children.get(pid) ?? 0);
  for (const [pid, t] of a.children) if (!b.children.has(pid)) ticks -= t;
  return ticks;
}

function allProcesses(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(name);
    if (s) out.set(Number(name), s);
  }
  return out;
}

/** Busy ticks of the whole machine (all cores): everything but idle and iowait. */
function machineBusy(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return user + nice + system + irq + softirq + steal;
}

export type CpuSeconds<K extends string> = Record<K, number> & { machine: number; machineOther: number };

/**
 * Starts a sample of the named process trees; the returned function ends it
 * with the CPU seconds each used meanwhile, the machine's busy seconds, and
 * what the rest of the machine (not our trees, not `extraOwnS`) used.
 */
export function sampleCpu<K extends string>(
  roots: Record<K, number | undefined>,
): (extraOwnS?: number) => CpuSeconds<K> {
  const names = Object.keys(roots) as K[];
  const take = () => {
    const all = allProcesses();
    return {
      trees: names.map((n) => (roots[n] ? sampleTree(roots[n], all) : undefined)),
      machine: machineBusy(),
    };
  };
  const a = take();
  return (extraOwnS = 0) => {
    const b = take();
    const out = {} as Record<K, number>;
    let ours = extraOwnS;
    names.forEach((n, i) => {
      const s = a.trees[i] && b.trees[i] ? treeDelta(a.trees[i], b.trees[i]) / TICKS_PER_S : 0;
      out[n] = s;
      ours += s;
    });
    const machine = (b.machine - a.machine) / TICKS_PER_S;
    return { ...out, machine, machineOther: Math.max(0, machine - ours) };
  };
}

/**
 * Waits until the named trees are (nearly) idle: at most `maxTicks` each in a
 * `intervalMs` window. A closed-loop run that stops leaves its last requests
 * queued in the server (1,000 connections' worth), which the server keeps
 * working off; the next measurement must not start on top of that backlog.
 */
export async function waitIdle(
  roots: Array<number | undefined>,
  opts: { intervalMs?: number; maxTicks?: number; timeoutMs?: number } = {},
): Promise<number> {
  const { intervalMs = 300, maxTicks = 3, timeoutMs = 120_000 } = opts;
  const t0 = Date.now();
  const live = roots.filter((r): r is number => r !== undefined);
  for (;;) {
    const a = allProcesses();
    const before = live.map((r) => sampleTree(r, a));
    await new Promise((r) => setTimeout(r, intervalMs));
    const b = allProcesses();
    const busy = live.some((r, i) => treeDelta(before[i]!, sampleTree(r, b)) > maxTicks);
    if (!busy || Date.now() - t0 > timeoutMs) return Date.now() - t0;
  }
}

/** What a PostgreSQL child does, from its process title ("postgres: autovacuum worker", "postgres: bill_app_user …"). */
export const PG_ROLES = [
  'backends',
  'autovacuum',
  'walwriter',
  'checkpointer',
  'bgwriter',
  'archiver',
  'logger',
  'other',
] as const;
export type PgRole = (typeof PG_ROLES)[number];

function pgRole(pid: number): PgRole {
  let title: string;
  try {
    title = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .replace(/\0/g, ' ')
      .replace(/^postgres:\s*/, '');
  } catch {
    return 'other';
  }
  if (title.startsWith('autovacuum')) return 'autovacuum';
  if (title.startsWith('walwriter')) return 'walwriter';
  if (title.startsWith('checkpointer')) return 'checkpointer';
  if (title.startsWith('background writer')) return 'bgwriter';
  if (title.startsWith('archiver')) return 'archiver';
  // The plan's log_statement=all: every statement's text goes through the logging collector.
  if (title.startsWith('logger')) return 'logger';
  if (/^(logical replication|walsender|walreceiver|startup|stats)/.test(title)) return 'other';
  return 'backends';
}

/**
 * Splits a PostgreSQL tree's CPU by what its children do (issue 23: the
 * statements' execution time is half of PostgreSQL's CPU — the rest is
 * protocol and TLS in the backends, autovacuum, WAL writing). The children are
 * sampled every `intervalMs`, so a child that starts and ends between two
 * samples (a short autovacuum worker) is missed, and one that ends is counted
 * up to its last sample: the split is a little short of the tree's total.
 */
export function samplePgRoles(postmaster: number, intervalMs = 500): () => Record<PgRole, number> {
  const seen = new Map<number, { role: PgRole; first: number; last: number }>();
  const take = (initial: boolean) => {
    for (const [pid, s] of allProcesses()) {
      if (s.ppid !== postmaster) continue;
      const known = seen.get(pid);
      if (known) known.last = s.own;
      // A child born after the first sample used all its ticks inside the window.
      else seen.set(pid, { role: pgRole(pid), first: initial ? s.own : 0, last: s.own });
    }
  };
  take(true);
  const timer = setInterval(() => take(false), intervalMs);
  return () => {
    clearInterval(timer);
    take(false);
    const out = Object.fromEntries(PG_ROLES.map((r) => [r, 0])) as Record<PgRole, number>;
    for (const v of seen.values()) out[v.role] += (v.last - v.first) / TICKS_PER_S;
    return out;
  };
}
