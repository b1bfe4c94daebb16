import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * True when a process with this PID runs (signal 0 only checks). A zombie —
 * exited, not yet reaped by its parent (a postmaster whose Patroni was killed
 * with it waits for init) — counts as dead: it holds no port, no shared
 * memory, and answers nothing.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (not Linux): signal 0 is all we know
  }
}

/** PID of the live postmaster of a data directory, from postmaster.pid; undefined when none runs. */
export function postmasterPid(pgdata: string): number | undefined {
  const file = path.join(pgdata, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined;
}

/**
 * The postmaster's own state from postmaster.pid (its 8th line, as `pg_ctl -w`
 * reads it): `ready` or `standby` once it accepts connections, `starting`
 * during crash recovery, `stopping`; undefined when no live postmaster.
 */
export function postmasterState(pgdata: string): string | undefined {
  if (postmasterPid(pgdata) === undefined) return undefined;
  try {
    return readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[7]?.trim() || undefined;
  } catch {
    return undefined;
  }
}
