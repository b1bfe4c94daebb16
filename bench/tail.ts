/**
 * Where an open-loop run's latency tail sits (issue 23): a time line of the
 * run in 100 ms slots of intended send time, and the slowest 1 % of requests —
 * when they were due, whether they had to open their socket, and how many
 * sockets carried them. A tail spread evenly over the run points at steady
 * queueing; one bunched into a few slots at a stall (a checkpoint, a GC, a
 * timer doing synchronous work); one riding on newly opened sockets at TCP
 * connection set-up (a SYN dropped by a full listen queue waits 1 s, then 3 s).
 */

/** One request as the generator saw it. */
export interface Sample {
  /** Intended send time, ms from the start of the schedule. */
  dueMs: number;
  latencyMs: number;
  /** 0 for a transport error or timeout, else the HTTP status. */
  status: number;
  socket: number;
  /** The request opened its socket (paid the TCP handshake). */
  opened: boolean;
}

export interface Slot {
  /** Start of the slot, ms from the start of the schedule. */
  atMs: number;
  count: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

export interface TailReport {
  /** Latency at and above which a request is in the slowest 1 %. */
  thresholdMs: number;
  count: number;
  onOpenedSockets: number;
  distinctSockets: number;
  /** Slowest-1 % requests per second of intended send time (index = second of the run). */
  perSecond: number[];
  /** The 100 ms slots holding most of the tail, worst first: at most 5. */
  worstSlots: Array<{ atMs: number; tailCount: number }>;
  /** Share of the tail in its 5 worst slots (1 = all bunched, ~5/slots = spread evenly). */
  inWorstSlotsPct: number;
  /** One sentence: where the tail sits. */
  verdict: string;
}

const SLOT_MS = 100;
const round1 = (x: number) => Math.round(x * 10) / 10;

/** The value at percentile `p` of an ascending array (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

const isError = (s: Sample) => s.status < 200 || s.status >= 300;

/** The run in 100 ms slots of intended send time. */
export function timeline(samples: readonly Sample[]): Slot[] {
  const slots = new Map<number, Sample[]>();
  for (const s of samples) {
    const k = Math.floor(s.dueMs / SLOT_MS);
    let list = slots.get(k);
    if (!list) slots.set(k, (list = []));
    list.push(s);
  }
  return [...slots.keys()]
    .sort((a, b) => a - b)
    .map((k) => {
      const list = slots.get(k)!;
      const lat = Float64Array.from(list, (s) => s.latencyMs).sort();
      return {
        atMs: k * SLOT_MS,
        count: list.length,
        p50: round1(percentile(lat, 50)),
        p99: round1(percentile(lat, 99)),
        max: round1(lat[lat.length - 1]!),
        errors: list.filter(isError).length,
      };
    });
}

/** The slowest 1 % (errors count as slowest): when, on which sockets, and a verdict. */
export function analyzeTail(samples: readonly Sample[]): TailReport {
  // The slowest ⌈1 %⌉ by latency, errors first (an error is as bad as a timeout).
  const key = (s: Sample) => (isError(s) ? Infinity : s.latencyMs);
  const tail = [...samples].sort((a, b) => key(b) - key(a)).slice(0, Math.ceil(samples.length / 100));
  const threshold = tail.length ? key(tail[tail.length - 1]!) : 0;
  const lastDue = samples.reduce((m, s) => Math.max(m, s.dueMs), 0);
  const seconds = samples.length ? Math.floor(lastDue / 1000) + 1 : 0;
  const perSecond = Array.from({ length: seconds }, () => 0);
  const bySlot = new Map<number, number>();
  for (const s of tail) {
    perSecond[Math.floor(s.dueMs / 1000)]!++;
    const k = Math.floor(s.dueMs / SLOT_MS);
    bySlot.set(k, (bySlot.get(k) ?? 0) + 1);
  }
  const worst = [...bySlot.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
  const inWorst = worst.reduce((n, [, c]) => n + c, 0);
  const opened = tail.filter((s) => s.opened).length;
  const openedPct = tail.length ? (100 * opened) / tail.length : 0;
  const inWorstPct = tail.length ? (100 * inWorst) / tail.length : 0;
  const slotsInRun = Math.max(1, Math.ceil((seconds * 1000) / SLOT_MS));
  const thresholdMs = Number.isFinite(threshold) ? round1(threshold) : Infinity;
  let verdict: string;
  if (tail.length === 0) verdict = 'no requests';
  else if (openedPct >= 50)
    verdict = `${Math.round(openedPct)} % of the slowest 1 % opened their socket: TCP connection set-up (listen queue, SYN retries)`;
  else if (inWorstPct >= 50 && worst.length && slotsInRun > 20)
    verdict = `${Math.round(inWorstPct)} % of the slowest 1 % were due in 5 slots of 100 ms (first at ${worst[0]![0] * SLOT_MS} ms): a stall`;
  else verdict = `the slowest 1 % are spread over the run (${Math.round(inWorstPct)} % in its 5 worst slots): queueing`;
  return {
    thresholdMs,
    count: tail.length,
    onOpenedSockets: opened,
    distinctSockets: new Set(tail.map((s) => s.socket)).size,
    perSecond,
    worstSlots: worst.map(([k, c]) => ({ atMs: k * SLOT_MS, tailCount: c })),
    inWorstSlotsPct: round1(inWorstPct),
    verdict,
  };
}
