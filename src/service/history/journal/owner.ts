import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';

/**
 * Who owns a journal directory: `p<pid>-<start>-<host>`. `start` is the
 * process start time in clock ticks since boot (/proc/<pid>/stat field 22),
 * so a pid reused by another process — every container restart makes a new
 * pid 1 — is not mistaken for the owner; `host` is a short hash of the host
 * name, because pids say nothing about processes on another machine or in
 * another PID namespace. No dots: a claimed directory is `<claimer>.c<n>`.
 */
export interface Owner {
  pid: number;
  start: string;
  host: string;
}

export const ownerId = (o: Owner): string => `p${o.pid}-${o.start}-${o.host}`;

export function parseOwner(dirName: string): Owner | undefined {
  const m = /^p(\d+)-(\d+)-([0-9a-f]{8})(?:\.|$)/.exec(dirName);
  return m ? { pid: Number(m[1]), start: m[2]!, host: m[3]! } : undefined;
}

export const hostTag = (hostname = os.hostname()): string =>
  createHash('sha256').update(hostname).digest('hex').slice(0, 8);

/** Start time of `pid` in clock ticks since boot, or undefined when there is no such process (or no /proc). */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function currentOwner(): Owner {
  return { pid: process.pid, start: processStart(process.pid) ?? String(Date.now()), host: hostTag() };
}

/**
 * Whether the owner of a journal directory may still be writing it. On this
 * host: its pid runs and started when the directory's name says. On another
 * host (a shared volume, or a container that came back with a new host name):
 * its directory was touched within `staleAfterMs` (owners touch theirs as a
 * heartbeat).
 */
export function ownerAlive(o: Owner, dir: string, staleAfterMs: number, self: Owner = currentOwner()): boolean {
  if (o.host === self.host) {
    if (o.pid === self.pid) return o.start === self.start;
    const start = processStart(o.pid);
    if (start !== undefined) return start === o.start;
    // No /proc (not Linux): the best this host can tell is whether the pid exists.
    try {
      process.kill(o.pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  try {
    return Date.now() - statSync(dir).mtimeMs < staleAfterMs;
  } catch {
    return false;
  }
}
