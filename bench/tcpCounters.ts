/**
 * The kernel's TCP counters around a run (what `nstat` reads: /proc/net/snmp
 * and /proc/net/netstat), and the sockets a process holds. A latency tail of
 * ~1 s and ~3 s is the signature of dropped SYNs (retried after 1 s, then
 * 3 s in total): these counters say whether the listen queue overflowed and
 * how many connections were opened while the run was measured. The counters
 * are the whole machine's (this network namespace): a quiet machine is
 * assumed, as for the CPU figures.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The counters that tell connection set-up apart from everything else. */
const WANTED = {
  Tcp: ['ActiveOpens', 'PassiveOpens', 'AttemptFails', 'EstabResets', 'RetransSegs', 'OutRsts'],
  TcpExt: ['ListenOverflows', 'ListenDrops', 'TCPSynRetrans', 'TCPTimeouts', 'TCPAbortOnData', 'TW'],
} as const;

export type TcpCounters = Record<string, number>;

/** "Tcp: a b c\nTcp: 1 2 3" pairs of lines → {Tcpa: 1, …} for the wanted names. */
export function parseProcNet(text: string): TcpCounters {
  const out: TcpCounters = {};
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const [prefix, ...names] = lines[i]!.trim().split(/\s+/);
    const [prefix2, ...values] = lines[i + 1]!.trim().split(/\s+/);
    if (!prefix || prefix !== prefix2) continue;
    const group = prefix.replace(/:$/, '') as keyof typeof WANTED;
    const wanted: readonly string[] | undefined = WANTED[group];
    if (!wanted) continue;
    names.forEach((n, j) => {
      if (wanted.includes(n)) out[`${group === 'TcpExt' ? 'TcpExt' : 'Tcp'}${n}`] = Number(values[j]);
    });
    i++;
  }
  return out;
}

/** A snapshot of the wanted counters; empty where /proc is not Linux's. */
export function readTcpCounters(): TcpCounters {
  try {
    return {
      ...parseProcNet(readFileSync('/proc/net/snmp', 'utf8')),
      ...parseProcNet(readFileSync('/proc/net/netstat', 'utf8')),
    };
  } catch {
    return {};
  }
}

/** after − before, per counter (CurrEstab-like gauges are not among them). */
export function counterDelta(before: TcpCounters, after: TcpCounters): TcpCounters {
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]));
}

/** Open sockets of a process (any kind: the listener, accepted and outbound connections), or null when unreadable. */
export function socketCount(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const dir = `/proc/${pid}/fd`;
    return readdirSync(dir).filter((fd) => {
      try {
        return readlinkSync(`${dir}/${fd}`).startsWith('socket:');
      } catch {
        return false;
      }
    }).length;
  } catch {
    return null;
  }
}
