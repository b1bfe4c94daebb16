import { spawn } from 'node:child_process';
import { BillInquiryError } from '../errors.js';
import type { AzCommand } from './deployPlan.js';

/** az without telemetry; the caller's AZURE_CONFIG_DIR (its login) is kept. */
export const azEnv = (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => ({
  ...env,
  AZURE_CORE_COLLECT_TELEMETRY: 'false',
  ...(process.stdout.isTTY ? {} : { AZURE_CORE_NO_COLOR: 'true' }),
});

export interface AzResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one planned az command. `echo` streams its stdout to the given stream
 * as it comes (what-if's diff), otherwise it is collected. Never throws for a
 * non-zero exit: the caller decides what a failure means.
 */
export function az(
  c: AzCommand,
  opts: { echo?: NodeJS.WritableStream; env?: NodeJS.ProcessEnv } = {},
): Promise<AzResult> {
  const [bin, ...args] = c.args;
  return new Promise((resolve, reject) => {
    const child = spawn(bin!, args, { env: azEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.echo?.write(d);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new BillInquiryError(
              'AZ_MISSING',
              'the az CLI is not installed (or not on PATH)',
              'install it: https://aka.ms/azcli (Debian: apt-get install azure-cli), then az login',
              { cause: e },
            )
          : e,
      ),
    );
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The last lines of az's stderr, for an error message. */
export const azTail = (r: AzResult): string =>
  (r.stderr || r.stdout)
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .slice(-3)
    .join(' | ');

const versionParts = (v: string): number[] => v.split('.').map((n) => Number.parseInt(n, 10) || 0);

/** a ≥ b for dotted versions. */
export function versionAtLeast(a: string, b: string): boolean {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** `az version --output json` → its azure-cli version, refused when older than `min`. */
export function checkAzVersion(r: AzResult, min: string): string {
  let version: string | undefined;
  try {
    version = (JSON.parse(r.stdout) as Record<string, unknown>)['azure-cli'] as string | undefined;
  } catch {
    version = undefined;
  }
  if (r.code !== 0 || !version)
    throw new BillInquiryError(
      'AZ_MISSING',
      `\`az version\` did not answer (${azTail(r)})`,
      'reinstall the az CLI: https://aka.ms/azcli',
    );
  if (!versionAtLeast(version, min))
    throw new BillInquiryError(
      'AZ_TOO_OLD',
      `az CLI ${version} is older than ${min}, the oldest whose parser every command here is tested against`,
      'upgrade it (az upgrade, or your package manager), or set azure.minAzVersion if you have checked an older one',
    );
  return version;
}

/** `az account show` fails when nobody is signed in. */
export function checkLogin(r: AzResult): { subscription: string; user: string } {
  if (r.code !== 0)
    throw new BillInquiryError(
      'AZ_LOGIN',
      `az is not signed in (${azTail(r)})`,
      'run `az login` (and `az account set --subscription <id>` to pick the subscription), then retry',
    );
  const acct = JSON.parse(r.stdout) as { name?: string; id?: string; user?: { name?: string } };
  return { subscription: `${acct.name ?? '?'} (${acct.id ?? '?'})`, user: acct.user?.name ?? '?' };
}
