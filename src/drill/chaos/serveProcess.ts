import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BillInquiryError } from '../../errors.js';

const BIN = fileURLToPath(new URL('../../../bin/bill-inquiry.mjs', import.meta.url));
/** Enough of a dead serve's stderr to say why it died. */
const STDERR_TAIL = 4000;

export interface ServeSpec {
  /** Global CLI flags the drill was given (--data-dir, --config): the service runs on the same data dir and config. */
  cliArgs: readonly string[];
  port: number;
  kosUrl: string;
  startTimeoutMs: number;
  /** Every start's stderr is appended here (0600: it is the service's log). */
  logFile: string;
}

/**
 * One `bill-inquiry serve` child of the drill, managed the way a process
 * manager (systemd, Kubernetes) manages it: started, killed by a fault,
 * started again on the same port; SIGTERM at the end so it flushes its
 * history and stops what it started.
 */
export class ServeProcess {
  private child?: ChildProcess;
  private exited: Promise<void> = Promise.resolve();
  private stderr = '';
  private readonly log: WriteStream;

  constructor(private readonly spec: ServeSpec) {
    this.log = createWriteStream(spec.logFile, { flags: 'a', mode: 0o600 });
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  get port(): number {
    return this.spec.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  /** Starts serve and resolves once it printed its JSON (it listens), or rejects with its stderr when it exits first. */
  async start(): Promise<void> {
    this.stderr = '';
    const child = spawn(
      process.execPath,
      [BIN, ...this.spec.cliArgs, '--json', 'serve', '--port', String(this.spec.port), '--kos-url', this.spec.kosUrl],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        // The drill kills serve at random: a first full backup restarted on every start would eat the cores it measures.
        env: { ...process.env, BILL_INQUIRY__BACKUP__FIRST_BACKUP__ENABLED: 'false' },
      },
    );
    this.child = child;
    this.log.write(`--- serve started (pid ${child.pid}) at ${new Date().toISOString()}\n`);
    child.stderr.pipe(this.log, { end: false });
    this.exited = new Promise((r) => child.once('exit', () => r()));
    child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-STDERR_TAIL)));
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(`serve did not listen within ${this.spec.startTimeoutMs} ms`),
        this.spec.startTimeoutMs,
      );
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(
          new BillInquiryError(
            'CHAOS_SERVE_START',
            `${why}; its last output:\n${this.stderr}`,
            'run `bill-inquiry serve` on this data dir to see the problem, fix it, then run the drill again',
          ),
        );
      };
      const exitedEarly = (code: number | null, signal: NodeJS.Signals | null) =>
        fail(`serve exited (${signal ?? `code ${code}`}) before it listened`);
      const listening = (d: Buffer) => {
        stdout += d.toString();
        if (!stdout.includes('"url"')) return;
        clearTimeout(timer);
        child.stdout.off('data', listening);
        child.off('exit', exitedEarly);
        child.stdout.resume(); // later output is not needed, but must not fill the pipe
        resolve();
      };
      child.stdout.on('data', listening);
      child.once('exit', exitedEarly);
    });
  }

  /** kill -9: no drain, no flush; what it acknowledged is in its journal. */
  async crash(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (drain, flush, stop what it started), SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.pid === undefined) return;
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  close(): Promise<void> {
    return new Promise((r) => this.log.end(r));
  }
}
