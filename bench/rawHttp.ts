/**
 * A minimal HTTP/1.1 keep-alive client for the open-loop generator: requests
 * are prebuilt bytes, answers are read only as far as the status code and
 * Content-Length. undici cost the generator ~230 µs of CPU per request on the
 * loaded 2-core VM (more than the floor server it measured); this costs a
 * fraction of that, so the generator is not what limits a run.
 *
 * Up to `max` sockets, each with one request in flight; a request that finds
 * no free socket waits in a FIFO (its latency, measured by the caller from the
 * intended send time, includes that wait). A request is an error when its
 * socket fails or closes, or when no complete answer came within `timeoutMs`.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** Which socket carried a request: its number, and whether the request had to open it (a TCP handshake in its latency). */
export interface Carrier {
  socket: number;
  opened: boolean;
}

/** Called once per request: the status code, or 0 on a socket error or timeout. */
export type Done = (status: number, carrier: Carrier) => void;

interface Conn {
  id: number;
  socket: net.Socket;
  done: Done | null;
  sentAt: number;
  buf: Buffer | null;
  dead: boolean;
  /** No request has been sent on it yet: the next one pays for the connect. */
  unused: boolean;
  carrier: Carrier;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** Request bytes: method, path, headers, optional JSON body. */
export function rawRequest(host: string, method: string, path: string, token: string, body?: string): Buffer {
  const head =
    `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n` +
    (body === undefined
      ? '\r\n'
      : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  return Buffer.from(head);
}

/** Bytes of a complete answer at the start of `buf` and its status, or undefined when more is needed. */
export function parseAnswer(buf: Buffer): { status: number; length: number } | undefined {
  const end = buf.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const head = buf.toString('latin1', 0, end).toLowerCase();
  const status = Number(head.slice(9, 12));
  const m = /\r\ncontent-length:\s*(\d+)/.exec(head);
  // Without Content-Length (chunked, or close-delimited) the generator cannot tell where the answer ends.
  if (!m) return { status: 0, length: buf.length };
  const length = end + 4 + Number(m[1]);
  return buf.length >= length ? { status, length } : undefined;
}

export class RawPool {
  private readonly conns = new Set<Conn>();
  private readonly idle: Conn[] = [];
  private queue: Array<{ req: Buffer; done: Done }> = [];
  private head = 0;
  private nextId = 0;
  /** Sockets opened by send() (not by warm()): each is a TCP handshake inside the measured window. */
  openedInWindow = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly max: number,
    private readonly timeoutMs: number,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(200, timeoutMs));
  }

  send(req: Buffer, done: Done): void {
    let c = this.idle.pop();
    while (c?.dead) c = this.idle.pop();
    if (c) return this.dispatch(c, req, done);
    if (this.conns.size < this.max) {
      this.openedInWindow++;
      return this.dispatch(this.open(), req, done);
    }
    this.queue.push({ req, done });
  }

  /**
   * Opens one socket per request before the measured window and sends the
   * request on it, `batch` at a time, so the window starts on warm keep-alive
   * sockets — as users arrive at a real deployment through an ingress's
   * pooled connections — and a burst of handshakes cannot overflow the
   * server's listen queue (a dropped SYN is retried after 1 s, then 3 s).
   * Resolves with each request's status, the sockets open, and the time it took.
   */
  async warm(requests: readonly Buffer[], batch = 50): Promise<{ sockets: number; statuses: number[]; ms: number }> {
    const t0 = performance.now();
    const statuses: number[] = [];
    for (let started = 0; started < requests.length; started += batch) {
      await Promise.all(
        requests.slice(started, started + batch).map(
          (req, j) =>
            new Promise<void>((resolve) =>
              this.dispatch(this.open(), req, (status) => {
                statuses[started + j] = status;
                resolve();
              }),
            ),
        ),
      );
    }
    return { sockets: this.conns.size, statuses, ms: Math.round(performance.now() - t0) };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const c of this.conns) c.socket.destroy();
  }

  private open(): Conn {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    const id = this.nextId++;
    const c: Conn = {
      id,
      socket,
      done: null,
      sentAt: 0,
      buf: null,
      dead: false,
      unused: true,
      carrier: { socket: id, opened: false },
    };
    socket.on('data', (d: Buffer) => this.onData(c, d));
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose(c));
    this.conns.add(c);
    return c;
  }

  private dispatch(c: Conn, req: Buffer, done: Done): void {
    c.carrier = { socket: c.id, opened: c.unused };
    c.unused = false;
    c.done = done;
    c.sentAt = Date.now();
    c.socket.write(req);
  }

  private onData(c: Conn, d: Buffer): void {
    c.buf = c.buf ? Buffer.concat([c.buf, d]) : d;
    const answer = parseAnswer(c.buf);
    if (!answer) return;
    c.buf = answer.length < c.buf.length ? c.buf.subarray(answer.length) : null;
    const done = c.done;
    c.done = null;
    if (answer.status === 0) {
      c.dead = true;
      c.socket.destroy();
    }
    done?.(answer.status, c.carrier);
    if (!c.dead) this.next(c);
  }

  private next(c: Conn): void {
    if (this.head < this.queue.length) {
      const q = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      return this.dispatch(c, q.req, q.done);
    }
    this.idle.push(c);
  }

  private onClose(c: Conn): void {
    c.dead = true;
    this.conns.delete(c);
    const done = c.done;
    c.done = null;
    done?.(0, c.carrier);
    // A waiting request gets a new socket in place of the lost one.
    if (this.head < this.queue.length && this.conns.size < this.max) {
      this.openedInWindow++;
      this.next(this.open());
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const c of this.conns) if (c.done && now - c.sentAt > this.timeoutMs) c.socket.destroy();
  }
}
