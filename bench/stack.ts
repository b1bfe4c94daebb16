/**
 * What the bench runs against, each in its own process so the CPU of each is
 * measured apart: a temp local PostgreSQL (applied by the platform, as `serve`
 * does it), the KOS mock (`bill-inquiry kos-mock`), the service itself
 * (`bill-inquiry serve`, monitoring included — exactly what operators run) and
 * the floor server (bench/floor.ts).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postmasterPid } from '../src/cluster/local/postmaster.js';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { ensureLocalDatabase, type LocalDatabase } from '../src/platform/ensureLocal.js';
import { M } from '../src/monitor/metricNames.js';
import { freePort } from '../src/system/freePort.js';
import { BENCH_DIR, BIN, startNode, type Child } from './procs.js';

const say = (m: string) => process.stderr.write(`… ${m}\n`);

/** Where the cache-miss floor writes its one row per request (schema owned by the app role, dropped with the temp cluster). */
export const FLOOR_TABLE = 'bench_floor.rows';

export interface Server {
  url: string;
  pid: number;
  /** Requests the server has answered so far (its own count: also those whose client had gone). */
  served(): Promise<number>;
  stop(): Promise<number | null>;
}

const profileArgs = (p: { dir: string; name: string } | undefined): string[] =>
  p ? ['--cpu-prof', `--cpu-prof-dir=${p.dir}`, `--cpu-prof-name=${p.name}.cpuprofile`] : [];

export interface ServiceProcess extends Server {
  /** Rows waiting in the history writer, from its own /metrics. */
  historyQueued(): Promise<number>;
}

export class Stack {
  private kosChild?: Child<{ url: string }>;
  /** Services and floors still running. */
  private children = new Set<Child<{ url: string }>>();

  private constructor(
    readonly cfg: Readonly<Config>,
    readonly configFile: string,
    readonly db: LocalDatabase,
  ) {}

  /** A temp data dir, the local cluster initialised and applied, the KOS mock at `kosLatencyMs`. */
  static async start(opts: { kosLatencyMs: number }): Promise<Stack> {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bi-bench-'));
    chmodSync(dataDir, 0o755);
    const overrides = {
      dataDir,
      cluster: { port: await freePort(), replicaPort: await freePort() },
      // No first full backup by serve: it would take the cores the bench measures.
      backup: { firstBackup: { enabled: false } },
    };
    const configFile = path.join(dataDir, 'bench-config.json');
    writeFileSync(configFile, JSON.stringify(overrides), { mode: 0o600 });
    // The environment counts, as for the child processes: BILL_INQUIRY__… variables reach both.
    const cfg = loadConfig({ file: configFile });
    say(`local PostgreSQL in ${dataDir}`);
    const db = await ensureLocalDatabase(cfg, { onProgress: say });
    const stack = new Stack(cfg, configFile, db);
    stack.kosChild = await startNode<{ url: string }>(
      BIN,
      [...stack.cliGlobals(), 'kos-mock', '--port', '0', '--latency-ms', String(opts.kosLatencyMs)],
      { name: 'KOS mock' },
    );
    say(`KOS mock on ${stack.kosUrl} (${opts.kosLatencyMs} ms)`);
    return stack;
  }

  get kosUrl(): string {
    return this.kosChild!.ready.url;
  }

  get kosPid(): number | undefined {
    return this.kosChild?.pid;
  }

  get postgresPid(): number | undefined {
    return postmasterPid(this.db.primary.paths.pgdata);
  }

  cliGlobals(): string[] {
    return ['--data-dir', this.cfg.dataDir, '--config', this.configFile, '--json'];
  }

  /**
   * `bill-inquiry serve` against this stack's database and KOS mock; with `profile`, under node --cpu-prof;
   * `bin` runs another checkout's CLI and `env` adds variables (A/B comparisons of a change).
   */
  async startService(
    opts: { profile?: { dir: string; name: string }; bin?: string; env?: NodeJS.ProcessEnv; workers?: number } = {},
  ): Promise<ServiceProcess> {
    const workers = opts.workers ?? 1;
    const child = await startNode<{ url: string }>(
      opts.bin ?? BIN,
      [
        ...this.cliGlobals(),
        'serve',
        '--port',
        String(workers > 1 ? await freePort() : 0),
        '--kos-url',
        this.kosUrl,
      ].concat(workers > 1 ? ['--workers', String(workers)] : []),
      { name: 'the service (serve)', nodeArgs: profileArgs(opts.profile), ...(opts.env ? { env: opts.env } : {}) },
    );
    this.children.add(child);
    const url = child.ready.url;
    const metrics = async () => (await (await fetch(`${url}/metrics`)).text()).split('\n');
    return {
      url,
      pid: child.pid,
      historyQueued: async () => {
        const line = (await metrics()).find((l) => l.startsWith(`${M.historyQueued} `));
        return line ? Number(line.split(' ')[1]) : 0;
      },
      // Each worker counts only its own requests on its /metrics: with workers, wrk's count stands in (NaN).
      served: async () =>
        workers > 1
          ? Number.NaN
          : (await metrics())
              .filter((l) => l.startsWith(`${M.httpRequests}{`) && !l.includes('route="/metrics"'))
              .reduce((n, l) => n + Number(l.split(' ').pop()), 0),
      // SIGTERM: the service flushes its history, then exits (as on Ctrl-C).
      stop: async () => {
        const code = await child.stop();
        this.children.delete(child);
        if (code !== 0) throw new Error(`the service exited with ${code}:\n${child.stderr().slice(-4000)}`);
        return code;
      },
    };
  }

  /** The cache-miss floor's table: a schema owned by the app role, in the bench's own database. */
  async prepareFloorTable(): Promise<void> {
    const app = this.cfg.database.roles.app;
    await this.query(`CREATE SCHEMA IF NOT EXISTS bench_floor AUTHORIZATION ${app}`);
    await this.query(
      `CREATE TABLE IF NOT EXISTS ${FLOOR_TABLE} (id bigserial PRIMARY KEY, line_number text NOT NULL, inquiry_month text NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
    );
    await this.query(`ALTER TABLE ${FLOOR_TABLE} OWNER TO ${app}`);
  }

  /** The floor server (bench/floor.ts): the same I/O as each scenario, no product logic; with `profile`, under --cpu-prof. */
  async startFloor(hitResponseFile: string, opts: { profile?: { dir: string; name: string } } = {}): Promise<Server> {
    const child = await startNode<{ url: string }>(
      path.join(BENCH_DIR, 'floor.ts'),
      [...this.cliGlobals(), '--kos-url', this.kosUrl, '--hit-response', hitResponseFile],
      { name: 'the floor server', nodeArgs: ['--import', 'tsx', ...profileArgs(opts.profile)] },
    );
    this.children.add(child);
    return {
      url: child.ready.url,
      pid: child.pid,
      served: async () => Number(await (await fetch(`${child.ready.url}/floor/served`)).text()),
      stop: async () => {
        const code = await child.stop();
        this.children.delete(child);
        return code;
      },
    };
  }

  async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.db.primary.query<T>(sql, params, this.cfg.database.name);
  }

  /** Stops every process it started and the cluster, and removes the temp data dir. */
  async stop(): Promise<void> {
    for (const c of this.children) await c.stop(10_000).catch(() => undefined);
    await this.kosChild?.stop(10_000).catch(() => undefined);
    await this.db.primary.stop().catch(() => undefined);
    rmSync(this.cfg.dataDir, { recursive: true, force: true });
  }
}
