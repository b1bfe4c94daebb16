import cluster, { type Worker } from 'node:cluster';
import type { SupervisionStats, Supervisor } from '../../cluster/local/supervisor.js';
import { BillInquiryError } from '../../errors.js';
import { sleep } from '../../system/poll.js';

/** Messages between `serve --workers N`'s primary process and its workers (node:cluster IPC). */
export type ToWorker = { type: 'shutdown' } | { type: 'supervision'; stats: SupervisionStats };
export type FromWorker = { type: 'listening'; url: string } | { type: 'failed'; message: string };

const RESTART_DELAY_MS = 1000;
const RESTART_DELAY_MAX_MS = 30_000;
/** A worker that lived this long resets the restart backoff. */
const HEALTHY_AFTER_MS = 60_000;

/**
 * The primary process of `serve --workers N`: forks N workers that share one
 * listening port (node:cluster hands connections out round-robin), each with
 * its own pools. A worker that dies (kill -9, crash) is replaced after a
 * growing pause; what it had queued in memory is lost with it (the history
 * journal is another layer's job). Supervisor figures are forwarded so every
 * worker's /metrics shows them.
 */
export class WorkerPool {
  private readonly workers = new Set<Worker>();
  private stopping = false;
  private restartDelay = RESTART_DELAY_MS;

  constructor(
    private readonly count: number,
    private readonly env: Record<string, string>,
    private readonly log: (msg: string) => void,
    private readonly supervisor?: Supervisor,
  ) {}

  /** Forks the workers; resolves with the service URL once every one listens. */
  async start(): Promise<string> {
    this.supervisor?.on('event', () => this.broadcast());
    const urls = await Promise.all(Array.from({ length: this.count }, () => this.fork()));
    return urls[0]!;
  }

  /** Asks every worker to drain, flush its history and exit; waits up to `timeoutMs`, then kills what is left. */
  async stop(timeoutMs: number): Promise<{ clean: number; killed: number }> {
    this.stopping = true;
    const all = [...this.workers];
    const exits = all.map((w) => new Promise<number>((r) => w.once('exit', (code) => r(code ?? 1))));
    for (const w of all) if (w.isConnected()) w.send({ type: 'shutdown' } satisfies ToWorker);
    const timer = new AbortController();
    const done = await Promise.race([
      Promise.all(exits),
      sleep(timeoutMs, undefined, { signal: timer.signal }).then(
        () => undefined,
        () => undefined,
      ),
    ]);
    timer.abort(); // the grace timer must not keep the process alive once every worker is gone
    let killed = 0;
    if (!done)
      for (const w of all)
        if (!w.isDead()) {
          killed++;
          w.process.kill('SIGKILL');
        }
    const codes = done ?? [];
    return { clean: codes.filter((c) => c === 0).length, killed };
  }

  private fork(): Promise<string> {
    const worker = cluster.fork(this.env);
    this.workers.add(worker);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      let listening = false;
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'listening') {
          listening = true;
          this.send(worker);
          resolve(m.url);
        } else if (m.type === 'failed' && !listening) {
          reject(
            new BillInquiryError(
              'WORKER_FAILED',
              `service worker ${worker.id} did not start: ${m.message}`,
              'fix the cause named, then start serve again',
            ),
          );
        }
      });
      worker.on('exit', (code, signal) => {
        this.workers.delete(worker);
        if (!listening) {
          reject(
            new BillInquiryError(
              'WORKER_FAILED',
              `service worker ${worker.id} exited during start (${signal ?? `code ${code}`})`,
              'see the lines above; fix the cause, then start serve again',
            ),
          );
          return;
        }
        if (this.stopping) return;
        if (Date.now() - started > HEALTHY_AFTER_MS) this.restartDelay = RESTART_DELAY_MS;
        const delay = this.restartDelay;
        this.restartDelay = Math.min(this.restartDelay * 2, RESTART_DELAY_MAX_MS);
        this.log(
          `service worker ${worker.id} (pid ${worker.process.pid}) died (${signal ?? `code ${code}`}); starting a new one in ${delay} ms`,
        );
        void sleep(delay).then(() => {
          if (this.stopping) return;
          this.fork().then(
            () => this.log(`service worker replaced: ${this.workers.size} of ${this.count} running`),
            (e: unknown) => this.log(`replacing a service worker failed: ${(e as Error).message}`),
          );
        });
      });
    });
  }

  private broadcast(): void {
    for (const w of this.workers) this.send(w);
  }

  private send(w: Worker): void {
    const stats = this.supervisor?.stats();
    if (stats && w.isConnected()) w.send({ type: 'supervision', stats } satisfies ToWorker);
  }
}
