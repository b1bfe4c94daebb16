import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { SecretStore } from '../../src/system/secrets.js';
import { IMAGE_UID } from '../../src/k8s/names.js';
import { tempDataDir } from './tempCluster.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Podman runs with the project's containers.conf (runc, ulimits, catatonit), never /etc's. */
export const PODMAN_ENV = { ...process.env, CONTAINERS_CONF: path.join(ROOT, 'scripts/container/containers.conf') };

/** Builds the image once per content (scripts/container/build-image.sh caches by tag) and returns its tag. */
export function buildImage(): string {
  const r = spawnSync(path.join(ROOT, 'scripts/container/build-image.sh'), [], {
    env: PODMAN_ENV,
    encoding: 'utf8',
    timeout: 30 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`image build failed (${r.status}): ${r.stderr.slice(-4000)}`);
  return r.stdout.trim().split('\n').at(-1)!;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** One podman command; never throws on a non-zero exit. */
export function podman(args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('podman', args, { env: PODMAN_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Containers, pods and secrets this test file made: removed after it, also on failure. */
const made = {
  containers: new Set<string>(),
  pods: new Set<string>(),
  secrets: new Set<string>(),
  kube: new Set<string>(),
  volumes: new Set<string>(),
};
after(async () => {
  for (const file of made.kube) await podman(['kube', 'down', file]);
  for (const p of made.pods) await podman(['pod', 'rm', '-f', '-t', '0', p]);
  // -v: the anonymous volumes of the image's VOLUMEs go with their container.
  for (const c of made.containers) await podman(['rm', '-f', '-v', '-t', '0', c]);
  for (const s of made.secrets) await podman(['secret', 'rm', s]);
  for (const v of made.volumes) await podman(['volume', 'rm', '-f', v]);
});
export const track = {
  container: (name: string) => made.containers.add(name),
  pod: (name: string) => made.pods.add(name),
  secret: (name: string) => made.secrets.add(name),
  kube: (file: string) => made.kube.add(file),
  volume: (name: string) => made.volumes.add(name),
};

/** A unique name for this test run's podman objects. */
export const uniqueName = (prefix: string): string => `${prefix}-${process.pid}-${Date.now().toString(36)}`;

/**
 * The service's secrets from a data dir's secret store, as the image takes
 * them (BILL_INQUIRY_SECRET_<NAME>), without the superuser's: the container is
 * the application, not an administrator.
 */
export function secretEnv(dataDir: string, except = ['postgres-superuser']): Record<string, string> {
  const dir = path.join(dataDir, 'secrets');
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir))
    if (!except.includes(name)) out[SecretStore.envName(name)] = readFileSync(path.join(dir, name), 'utf8').trim();
  return out;
}

/** An env file (0600) for `podman run --env-file`: secrets stay off the command line. */
export function envFile(env: Record<string, string>): string {
  const file = path.join(tempDataDir('bi-env-'), 'env');
  writeFileSync(
    file,
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
    { mode: 0o600 },
  );
  return file;
}

/** A data dir the image's user owns (a volume's mount point). */
export function imageDataDir(prefix = 'bi-image-data-'): string {
  const dir = tempDataDir(prefix);
  chownSync(dir, IMAGE_UID, IMAGE_UID);
  chmodSync(dir, 0o700);
  return dir;
}

/** A config dir to mount read-only at /etc/bill-inquiry: the config file and the database's CA. */
export function configDir(config: Record<string, unknown>, caFile: string): string {
  const dir = tempDataDir('bi-image-conf-');
  mkdirSync(dir, { recursive: true });
  copyFileSync(caFile, path.join(dir, 'ca.crt'));
  chmodSync(path.join(dir, 'ca.crt'), 0o644);
  writeFileSync(path.join(dir, 'bill-inquiry.config.json'), JSON.stringify(config));
  chmodSync(path.join(dir, 'bill-inquiry.config.json'), 0o644);
  return dir;
}

/**
 * `podman run` arguments the tests share: the host network (loopback), the
 * image's read-only root, the data volume, the read-only config dir and an
 * env file of secrets. The caller adds `-d`, more `-e`, the image and its command.
 */
export function runArgs(o: { name: string; dataDir: string; confDir: string; envFile: string }): string[] {
  return [
    'run',
    '--name',
    o.name,
    '--network',
    'host',
    '--read-only',
    '--read-only-tmpfs=false',
    '-v',
    `${o.dataDir}:/var/lib/bill-inquiry`,
    '-v',
    `${o.confDir}:/etc/bill-inquiry:ro`,
    '-e',
    'BILL_INQUIRY_CONFIG=/etc/bill-inquiry/bill-inquiry.config.json',
    '--env-file',
    o.envFile,
  ];
}

/** Polls `url` until it answers `status` (or `timeoutMs` passes); returns the last status (0: no answer). */
export async function waitForStatus(url: string, status = 200, timeoutMs = 180_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < end) {
    last = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (last === status) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}
