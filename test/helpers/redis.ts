import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import path from 'node:path';
import { after } from 'node:test';
import { freePort } from '../../src/system/freePort.js';
import { tempDataDir } from './tempCluster.js';

export interface RedisServer {
  port: number;
  dir: string;
  /** redis:// or rediss:// URL (no password: that comes from the secret store). */
  url: string;
  pid(): number | undefined;
  /** SIGKILL: the server is gone at once (connections reset). */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is saved). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real redis-server (Debian package) on 127.0.0.1 and a random port, in a
 * temp dir, persisting nothing; TLS-only when `tls` is given. Stopped after the
 * test file, also on failure.
 */
export async function startRedis(
  opts: { password?: string; tls?: { cert: string; key: string; ca: string }; cluster?: boolean } = {},
): Promise<RedisServer> {
  const port = await freePort();
  const dir = tempDataDir('bi-redis-');
  const args = [
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--logfile',
    path.join(dir, 'redis.log'),
    ...(opts.password ? ['--requirepass', opts.password, '--masterauth', opts.password] : []),
    ...(opts.cluster
      ? [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          path.join(dir, 'nodes.conf'),
          '--cluster-node-timeout',
          '2000',
        ]
      : []),
    ...(opts.tls
      ? [
          '--port',
          '0',
          '--tls-port',
          String(port),
          '--tls-cert-file',
          opts.tls.cert,
          '--tls-key-file',
          opts.tls.key,
          '--tls-ca-cert-file',
          opts.tls.ca,
          '--tls-auth-clients',
          'no',
        ]
      : ['--port', String(port)]),
  ];
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn('redis-server', args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await listening(port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port}; see ${dir}/redis.log`);
      if (proc.exitCode !== null) throw new Error(`redis-server exited (${proc.exitCode}); see ${dir}/redis.log`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async () => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill('SIGKILL');
    await once(p, 'exit');
  };
  await start();
  after(kill);
  return {
    port,
    dir,
    url: `${opts.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    pid: () => proc?.pid,
    kill,
    start,
    stop: kill,
  };
}

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
