import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/schema.js';
import { BillInquiryError } from '../../errors.js';
import { renderHaproxyConfig } from '../../lb/haproxyConfig.js';
import { freePort } from '../../system/freePort.js';
import { poll } from '../../system/poll.js';

export interface RunningHaproxy {
  url: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

/**
 * HAProxy in front of the drill's service instances, configured as
 * `bill-inquiry lb config` renders it (health checks on GET /accepting, refused
 * connections redispatched), so a killed instance costs only its in-flight
 * requests. Runs in the foreground (-db) as the drill's child.
 */
export async function startHaproxy(
  cfg: Readonly<Config>,
  ports: readonly number[],
  runDir: string,
): Promise<RunningHaproxy> {
  const lb = {
    ...cfg.lb,
    port: await freePort(),
    instances: ports.map((port) => ({ host: '127.0.0.1', port })),
  };
  const file = path.join(runDir, 'haproxy.cfg');
  writeFileSync(file, renderHaproxyConfig(lb, { drainMs: cfg.service.shutdownDrainMs }), { mode: 0o600 });
  const child = spawn('haproxy', ['-f', file, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const failed = new Promise<never>((_, reject) =>
    child.once('error', (e) =>
      reject(
        new BillInquiryError('HAPROXY_MISSING', `cannot run haproxy: ${e.message}`, 'apt-get install haproxy', {
          cause: e,
        }),
      ),
    ),
  );
  const url = `http://${lb.host}:${lb.port}`;
  const ready = poll(
    async () =>
      child.exitCode !== null ? 'exited' : (await fetch(`${url}/ready`).catch(() => undefined))?.status === 200,
    { timeoutMs: READY_TIMEOUT_MS, intervalMs: 200 },
  );
  const state = await Promise.race([ready, failed]).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  if (state !== true) {
    child.kill('SIGKILL');
    throw new BillInquiryError(
      'HAPROXY_START',
      `HAProxy in front of the drill's services did not become ready (${state ?? `${READY_TIMEOUT_MS} ms`}): ${stderr}`,
      `check the config with \`haproxy -c -f ${file}\``,
    );
  }
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
