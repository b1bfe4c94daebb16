import { spawn } from 'node:child_process';
import { BillInquiryError } from '../errors.js';

export interface PipeStage {
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * `a | b`: spawns both, pipes a's stdout into b's stdin, rejects when either
 * fails (quoting its stderr) — so a dump is never "encrypted" from a failed pg_dump.
 */
export function pipeline(a: PipeStage, b: PipeStage): Promise<void> {
  return new Promise((resolve, reject) => {
    const first = spawn(a.cmd, a.args, { env: { ...process.env, ...a.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const second = spawn(b.cmd, b.args, { env: { ...process.env, ...b.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    first.stdout.pipe(second.stdin);
    const errs: [string, string] = ['', ''];
    first.stderr.on('data', (d: Buffer) => (errs[0] += d.toString()));
    second.stderr.on('data', (d: Buffer) => (errs[1] += d.toString()));
    second.stdout.resume();
    const codes: Array<number | null> = [];
    let pending = 2;
    const done = (i: number, name: string) => (code: number | null) => {
      codes[i] = code;
      if (--pending > 0) return;
      const bad = codes.findIndex((c) => c !== 0);
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
    first.on('close', done(0, a.cmd));
    second.on('close', done(1, b.cmd));
    for (const c of [first, second])
      c.on('error', (e) => reject(new BillInquiryError('EXEC_FAILED', `cannot run ${e.message}`, 'is it installed?')));
    second.stdin.on('error', () => {});
  });
}
