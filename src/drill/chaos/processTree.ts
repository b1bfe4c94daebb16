import { readdirSync, readFileSync } from 'node:fs';

/** The live processes whose parent is `pid` (a postmaster's backends and background workers), from /proc. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The fields after the command (which may hold spaces and parentheses) start after its last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return children;
}

/** Sends `signal` to the process and its children, ignoring those that are gone. */
export function signalTree(pid: number, signal: NodeJS.Signals, pids = [pid, ...childPids(pid)]): number[] {
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch {
      // gone
    }
  }
  return pids;
}
