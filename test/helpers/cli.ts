import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/bill-inquiry.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, as a user would. */
export function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Parses the JSON a `--json` command printed. */
export const json = <T = Record<string, unknown>>(r: CliResult): T => JSON.parse(r.stdout) as T;

export interface RunningCli {
  /** The CLI process (its node:cluster workers are its children). */
  readonly pid: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once `text` appears on stdout; fails with stderr if the process exits or the time runs out. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** A crash: SIGKILL, then resolves once the process is gone. */
  crash(): Promise<void>;
}

/** Starts a long-running CLI command (serve, cluster up --foreground, kos-mock, monitor serve) in a child process. */
export function startCli(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  return {
    pid: child.pid!,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    async waitFor(text, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (!stdout.includes(text)) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`\`${args.join(' ')}\` never printed "${text}":\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * The environment a test's `serve` / `cluster up` run with: the plain cluster
 * on `pgPort`, a small memory profile, no WAL archiving and no first full
 * backup (a test of the service needs no pgBackRest), plus `extra` BILL_INQUIRY__* settings.
 */
export const localServeEnv = (pgPort: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  BILL_INQUIRY__CLUSTER__PORT: String(pgPort),
  BILL_INQUIRY__SERVER__MEMORY_MB: '1024',
  BILL_INQUIRY__BACKUP__WAL_ARCHIVING: 'false',
  BILL_INQUIRY__BACKUP__FIRST_BACKUP__ENABLED: 'false',
  ...extra,
});
