import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { BillInquiryError } from '../errors.js';

export interface PipeStage {
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/** `a | b` running: b's output to read, and the outcome of both. */
export interface RunningPipe {
  /** What b writes. */
  stdout: Readable;
  /** Resolves when both exited 0; rejects naming the stage that failed, quoting its stderr. */
  done: Promise<void>;
  /** Stops both (a consumer that failed must not leave pg_dump running). */
  kill(): void;
}

/**
 * `a | b`: spawns both, pipes a's stdout into b's stdin, rejects when either
 * fails (quoting its stderr) — so a dump is never "encrypted" from a failed pg_dump.
 */
export function pipeline(a: PipeStage, b: PipeStage, input?: Readable): Promise<void> {
  const p = startPipeline(a, b, input);
  p.stdout.resume();
  return p.done;
}

/**
 * `a | b` with b's stdout handed to the caller (a stream to upload) instead of
 * a file; with `input`, `input | a | b` (a dump downloaded as it is restored).
 */
export function startPipeline(a: PipeStage, b: PipeStage, input?: Readable): RunningPipe {
  const first = spawn(a.cmd, a.args, {
    env: { ...process.env, ...a.env },
    stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let inputError: Error | undefined;
  if (input && first.stdin) {
    first.stdin.on('error', () => {});
    // A source that breaks (a cut download) must fail the pipe even if the programs exit 0 on a short input.
    input.on('error', (e: Error) => {
      inputError = e;
      first.stdin?.end();
    });
    input.pipe(first.stdin);
  }
  const second = spawn(b.cmd, b.args, { env: { ...process.env, ...b.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  first.stdout!.pipe(second.stdin);
  const errs: [string, string] = ['', ''];
  first.stderr!.on('data', (d: Buffer) => (errs[0] += d.toString()));
  second.stderr.on('data', (d: Buffer) => (errs[1] += d.toString()));
  second.stdin.on('error', () => {});
  const done = new Promise<void>((resolve, reject) => {
    const codes: Array<number | null> = [];
    let pending = 2;
    const exited = (i: number, name: string) => (code: number | null) => {
      codes[i] = code;
      if (--pending > 0) return;
      const bad = codes.findIndex((c) => c !== 0);
      if (bad === -1 && inputError)
        return reject(
          new BillInquiryError('PIPE_FAILED', `the input of ${a.cmd} broke: ${inputError.message}`, 'run it again'),
        );
      if (bad === -1) return resolve();
      const stage = bad === 0 ? a : b;
      reject(
        new BillInquiryError(
          'PIPE_FAILED',
          `${stage.cmd} failed (exit ${codes[bad]}): ${errs[bad as 0 | 1].trim().split('\n').slice(-3).join(' | ')}`,
          `see the ${name} output above`,
        ),
      );
    };
    first.on('close', exited(0, a.cmd));
    second.on('close', exited(1, b.cmd));
    for (const c of [first, second])
      c.on('error', (e) => reject(new BillInquiryError('EXEC_FAILED', `cannot run ${e.message}`, 'is it installed?')));
  });
  const kill = () => [first, second].forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGTERM'));
  return { stdout: second.stdout, done, kill };
}
