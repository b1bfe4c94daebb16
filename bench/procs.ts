/**
 * The bench's child processes (service, KOS mock, floor, load generators):
 * started with the pinned Node, ready when they print their JSON on stdout,
 * stopped with SIGTERM (then SIGKILL after a grace period), and all of them
 * killed if the bench itself dies or is interrupted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const BIN = path.resolve(BENCH_DIR, '../bin/bill-inquiry.mjs');

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export interface Child<T> {
  readonly pid: number;
  /** The JSON object the process printed when it was ready. */
  readonly ready: T;
  readonly stderr: () => string;
  /** SIGTERM, wait up to `graceMs`, then SIGKILL; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Spawns `node [nodeArgs] script args` and waits until its stdout holds one
 * complete JSON object (commands print it with --json once they listen).
 */
export async function startNode<T = Record<string, unknown>>(
  script: string,
  args: string[],
  opts: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number; name: string },
): Promise<Child<T>> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), script, ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  let ready: T | undefined;
  while (ready === undefined) {
    try {
      ready = JSON.parse(stdout) as T;
      break;
    } catch {
      // not complete yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${opts.name} did not start (exit ${child.exitCode}):\n${stderr.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pid: child.pid!,
    ready,
    stderr: () => stderr,
    async stop(graceMs = 120_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs a command to its end; resolves with its output and exit code (the caller decides what a failure is). */
export function runToEnd(
  cmd: string,
  args: string[],
  opts: {
    env?: NodeJS.ProcessEnv;
    /** When the child writes `marker` to stderr: run `then`, and write a line to its stdin once it resolved. */
    handshake?: { marker: string; then: () => Promise<void> };
  } = {},
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    if (!opts.handshake) child.stdin.end();
    running.add(child);
    let stdout = '';
    let stderr = '';
    let shaken = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const h = opts.handshake;
      if (h && !shaken && stderr.includes(h.marker)) {
        shaken = true;
        h.then().then(
          () => child.stdin.end('go\n'),
          (e: unknown) => {
            child.kill();
            reject(e instanceof Error ? e : new Error(String(e)));
          },
        );
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      resolve({ stdout, stderr, code });
    });
  });
}

/** Ctrl-C / SIGTERM: run `cleanup` once (stop children, the cluster, remove temp dirs), then exit. */
export function onInterrupt(cleanup: () => Promise<void>): void {
  let done = false;
  const handler = (signal: NodeJS.Signals) => {
    if (done) return;
    done = true;
    process.stderr.write(`… ${signal}: stopping what the bench started\n`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
