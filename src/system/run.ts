import { spawn, type SpawnOptions } from 'node:child_process';
import { BillInquiryError } from '../errors.js';
import type { OsUser } from './osUser.js';

export interface RunOptions {
  /** Run as this unprivileged user (when the tool itself is root). */
  as?: OsUser;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
  /** Exit codes that are not failures. */
  okCodes?: number[];
  /** Aborting it sends the program SIGTERM (a background job stopped with its caller). */
  signal?: AbortSignal;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawns a program, collects its output, and turns a failure into an error that quotes its stderr. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...spawnOptions(opts), ...(opts.signal ? { signal: opts.signal } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs).unref() : undefined;
    child.on('error', (e) =>
      reject(
        new BillInquiryError('EXEC_FAILED', `cannot run ${cmd}: ${e.message}`, `is ${cmd} installed and on PATH?`, {
          cause: e,
        }),
      ),
    );
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const result = { code: code ?? -1, stdout, stderr };
      if (code === 0 || (code !== null && opts.okCodes?.includes(code))) return resolve(result);
      const why = signal ? `killed by ${signal}` : `exit ${code}`;
      const tail = (stderr || stdout).trim().split('\n').slice(-5).join(' | ');
      reject(
        new BillInquiryError('EXEC_FAILED', `${cmd} ${args.join(' ')} failed (${why}): ${tail}`, undefined, {
          cause: result,
        }),
      );
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

export function spawnOptions(opts: Pick<RunOptions, 'as' | 'env' | 'cwd'>): SpawnOptions {
  const env = { ...process.env, ...opts.env };
  if (opts.as) Object.assign(env, { HOME: opts.as.home, USER: opts.as.name, LOGNAME: opts.as.name });
  return {
    cwd: opts.cwd,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(opts.as ? { uid: opts.as.uid, gid: opts.as.gid } : {}),
  };
}
