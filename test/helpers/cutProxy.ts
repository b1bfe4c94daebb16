import net from 'node:net';
import { freePort } from '../../src/system/freePort.js';

export interface CutProxy {
  port: number;
  /** Bytes forwarded client → server so far. */
  forwarded(): number;
  /** Resolves once the proxy has cut every connection and stopped listening. */
  cut: Promise<void>;
  stop(): Promise<void>;
}

/**
 * A loopback TCP proxy to host:port that forwards until `cutAfterBytes` have
 * gone upstream, then kills itself: every connection destroyed mid-stream,
 * the port closed (later connects are refused). TLS passes through untouched.
 */
export async function startCutProxy(host: string, port: number, cutAfterBytes: number): Promise<CutProxy> {
  const sockets = new Set<net.Socket>();
  let sent = 0;
  let cutDone!: () => void;
  const cut = new Promise<void>((r) => (cutDone = r));
  const server = net.createServer((client) => {
    const upstream = net.connect({ host, port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (d: Buffer) => {
      sent += d.length;
      upstream.write(d);
      if (sent >= cutAfterBytes) kill();
    });
    upstream.pipe(client);
  });
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    server.close(() => cutDone());
    for (const s of sockets) s.destroy();
  };
  const listenPort = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, host, resolve);
  });
  return {
    port: listenPort,
    forwarded: () => sent,
    cut,
    stop: async () => {
      kill();
      await cut;
    },
  };
}
