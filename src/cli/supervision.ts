import type { Supervisor } from '../cluster/local/supervisor.js';

/** One stderr line per supervisor event (a crash, a restart, a failed attempt and when it retries). */
export function logSupervisor(supervisor: Supervisor, log: (msg: string) => void): Supervisor {
  supervisor.on('event', (e) => {
    if (e.type === 'down') log(`SUPERVISOR: ${e.name} (pid ${e.pid}) died; restarting it`);
    else if (e.type === 'restarted')
      log(`SUPERVISOR: ${e.name} is back after ${(e.downMs / 1000).toFixed(1)} s (${e.attempts} attempt(s))`);
    else
      log(`SUPERVISOR: restarting ${e.name} failed (attempt ${e.attempt}): ${e.error}; next try in ${e.retryInMs} ms`);
  });
  return supervisor;
}
