/**
 * CPU time of the processes a scenario keeps busy, read from /proc (Linux):
 * the service (this process) and every PostgreSQL backend (the load generator
 * reports its own).
 * With the load generator on the same 2 cores, these say where the time went.
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_S = 100;

function processTicks(pid: string | number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function postgresTicks(): number {
  let sum = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres')) sum += processTicks(pid);
    } catch {
      // the process ended while we looked
    }
  }
  return sum;
}

export interface CpuSeconds {
  service: number;
  postgres: number;
}

/** Starts a sample; the returned function ends it with the CPU seconds each used meanwhile. */
export function sampleCpu(): () => CpuSeconds {
  const s0 = processTicks(process.pid);
  const p0 = postgresTicks();
  return () => ({
    service: (processTicks(process.pid) - s0) / TICKS_PER_S,
    postgres: (postgresTicks() - p0) / TICKS_PER_S,
  });
}
