import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { LocalInstance } from '../../cluster/local/localCluster.js';
import type { Config } from '../../config/schema.js';
import { libpqEnv, type ConnTarget } from '../../db/connection.js';
import { BillInquiryError } from '../../errors.js';

/** pgbench: the local cluster's own binaries first (same major), then PATH, then Debian's newest. */
export function findPgbench(cfg: Readonly<Config>): string {
  const candidates: string[] = [];
  const local = new LocalInstance(cfg, 'primary');
  if (local.state?.binDir) candidates.push(path.join(local.state.binDir, 'pgbench'));
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) candidates.push(path.join(dir, 'pgbench'));
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian))
    for (const major of readdirSync(debian).sort((a, b) => Number(b) - Number(a)))
      candidates.push(path.join(debian, major, 'bin', 'pgbench'));
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new BillInquiryError(
      'PGBENCH_MISSING',
      'pgbench is not installed on this machine',
      'install it (Debian: apt-get install postgresql-15, which ships pgbench; elsewhere the postgresql-contrib package)',
    );
  return found;
}

/**
 * Runs pgbench against `target` (TLS as in libpqEnv), streaming its stderr
 * (progress) line by line; resolves with stdout (the summary). Aborting the
 * signal stops pgbench (SIGINT, as Ctrl-C would).
 */
export function runPgbench(
  bin: string,
  args: string[],
  target: ConnTarget,
  opts: { signal?: AbortSignal; onLine?: (line: string) => void } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      env: { ...process.env, ...libpqEnv({ ...target, applicationName: 'bill-inquiry-db-bench' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      const text = partial + d.toString();
      stderr = (stderr + d.toString()).slice(-20_000);
      const lines = text.split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) opts.onLine?.(l.trim());
    });
    const abort = () => child.kill('SIGINT');
    // A Ctrl-C that came while the scratch database was being made stops this run at once.
    if (opts.signal?.aborted) abort();
    else opts.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (e) =>
      reject(new BillInquiryError('PGBENCH_MISSING', `cannot run ${bin}: ${e.message}`, 'is pgbench installed?')),
    );
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', abort);
      if (code === 0) return resolve(stdout);
      const tail = `${stderr}\n${stdout}`.trim().split('\n').slice(-4).join(' | ');
      reject(
        new BillInquiryError(
          'PGBENCH_FAILED',
          `pgbench ${args.join(' ')} failed (${signal ? `killed by ${signal}` : `exit ${code}`}): ${tail}`,
          'read the pgbench message quoted; the scratch database was dropped',
        ),
      );
    });
  });
}
