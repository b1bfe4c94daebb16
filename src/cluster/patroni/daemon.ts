import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import type { OsUser } from '../../system/osUser.js';
import { poll } from '../../system/poll.js';
import { processAlive } from '../local/postmaster.js';

/**
 * Starts a long-running server program detached from the CLI (it outlives
 * `cluster up`), output appended to `log`, its pid in `pidFile`.
 */
export function startDaemon(
  cmd: string,
  args: string[],
  opts: { as?: OsUser; log: string; pidFile: string; env?: NodeJS.ProcessEnv },
): number {
  const fd = openSync(opts.log, 'a', 0o600);
  try {
    const env = {
      ...process.env,
      ...opts.env,
      ...(opts.as ? { HOME: opts.as.home, USER: opts.as.name, LOGNAME: opts.as.name } : {}),
    };
    const child = spawn(cmd, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env,
      ...(opts.as ? { uid: opts.as.uid, gid: opts.as.gid } : {}),
    });
    child.unref();
    writeFileSync(opts.pidFile, `${child.pid}\n`);
    return child.pid!;
  } finally {
    closeSync(fd);
  }
}

/** The pid recorded in `pidFile` when that process is still alive. */
export function livePid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

export const alive = processAlive;

/** SIGTERM, wait up to `timeoutMs`, then SIGKILL; removes the pid file. */
export async function stopDaemon(pidFile: string, timeoutMs: number): Promise<boolean> {
  const pid = livePid(pidFile);
  if (pid === undefined) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  await poll(() => !alive(pid), { timeoutMs, intervalMs: STOP_POLL_MS });
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  return true;
}

const STOP_POLL_MS = 100;
