import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/schema.js';
import { BillInquiryError } from '../../errors.js';
import { startKosMock } from '../../kos/mock/server.js';
import { freePort } from '../../system/freePort.js';
import { fileStamp } from '../../system/setAside.js';
import { sleep } from '../../system/poll.js';
import { openTopology } from '../../topology/open.js';
import { liveOwner } from '../../topology/owner.js';
import type { LocalTopology, Topology } from '../../topology/types.js';
import { withClient } from '../directLoad.js';
import { HISTORY_MISSING, HISTORY_PRESENT } from '../sql.js';
import { FAULT_KINDS, inject, type FaultKind, type Recovery } from './faults.js';
import { startHaproxy, type RunningHaproxy } from './haproxy.js';
import { InquiryLoad, type Answer } from './load.js';
import { ServeProcess } from './serveProcess.js';
import { round } from '../round.js';

export interface ChaosOptions {
  /** Seconds of load; faults are injected while it runs (each kind at least once, so it may run longer). */
  durationS?: number;
  /** Concurrent inquiry clients. */
  clients?: number;
  /** Service instances; more than one run behind HAProxy (as `lb config` renders it), the load sent through it. */
  instances?: number;
  /** Global CLI flags (--data-dir, --config) for the `serve` the drill runs. */
  cliArgs: readonly string[];
  log: (msg: string) => void;
}

export interface FaultRecord {
  kind: FaultKind;
  target: string;
  /** Seconds after the drill's start the fault was injected. */
  at_s: number;
  /** Seconds from injection until the service was back (null: not within the recovery timeout). */
  recovered_s: number | null;
}

export interface ChaosResult {
  ok: boolean;
  topology: string;
  duration_s: number;
  clients: number;
  faults: FaultRecord[];
  requests: number;
  acknowledged: number;
  stored: number;
  lost_acknowledged: number;
  /** Up to five lost request ids, to look for in the journal and the logs. */
  lost_sample: string[];
  /** Acknowledged answers among all requests, in percent, over the whole drill. */
  availability_pct: number;
  /** 99th percentile latency (ms) of requests started while a fault was in effect (failures included). */
  p99_ms_during_faults: number;
  p99_ms_steady: number;
  instances: number;
  /** Where the load went: the service, or HAProxy in front of the instances. */
  via: string;
  /** Folder of the services' stderr over every restart (serve.log, or serve-N.log per instance), 0700. */
  logs: string;
}

const DEFAULT_DURATION_S = 60;
const DEFAULT_CLIENTS = 8;
const WARMUP_MS = 3000;
/** Pause between one fault's recovery and the next fault, random in this range. */
const GAP_MS: readonly [number, number] = [1000, 4000];
const HOLD_MS: readonly [number, number] = [2000, 5000];
const RECOVERY_TIMEOUT_MS = 120_000;
const PROBE_PAUSE_MS = 250;
/** How long an acknowledged probe's history row may take to reach the database (batching, fsync, retry). */
const DURABLE_WITHIN_MS = 5000;
/** After the load stops: how long queued and journaled history may take to reach the database. */
const SETTLE_MS = 60_000;
const SERVE_START_MS = 180_000;
const SERVE_STOP_GRACE_MS = 60_000;
const ID_CHUNK = 5000;

/**
 * The chaos drill: the service under inquiry load while real faults hit it at
 * random — kill -9 of the PostgreSQL primary, a SIGSTOP stall of it, kill -9
 * of the service process (started again, as a process manager would), KOS
 * failing — then every acknowledged request id is looked up in the database.
 * The drill runs the service itself (it must be able to kill and restart it)
 * with its own KOS mock (it must be able to break it).
 */
export async function chaosDrill(cfg: Readonly<Config>, opts: ChaosOptions): Promise<ChaosResult> {
  const durationS = opts.durationS ?? DEFAULT_DURATION_S;
  const clients = opts.clients ?? DEFAULT_CLIENTS;
  const log = opts.log;
  const topology = await localTopology(cfg);
  const runDir = path.join(cfg.dataDir, 'drill', `chaos-${fileStamp()}`);
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const kos = await startKosMock(cfg.service.kosMock, {
    port: 0,
    protocol: cfg.service.kosProtocol,
    timeZone: cfg.database.timezone,
  });
  const instances = opts.instances ?? 1;
  const services: ServeProcess[] = [];
  for (let i = 1; i <= instances; i++)
    services.push(
      new ServeProcess({
        cliArgs: opts.cliArgs,
        port: await freePort(),
        kosUrl: kos.url,
        startTimeoutMs: SERVE_START_MS,
        logFile: path.join(runDir, instances > 1 ? `serve-${i}.log` : 'serve.log'),
      }),
    );
  let haproxy: RunningHaproxy | undefined;
  const load = new InquiryLoad(cfg, () => haproxy?.url ?? services[0]!.url);
  try {
    log(
      `starting ${instances > 1 ? `${instances} service instances` : 'the service'} (serve on ${services.map((x) => x.url).join(', ')}, ${topology.kind} topology, KOS mock ${kos.url}; logs in ${runDir})`,
    );
    // One after another: the first starts (and supervises) the servers, the others find them running.
    for (const x of services) await x.start();
    if (instances > 1) {
      haproxy = await startHaproxy(
        cfg,
        services.map((x) => x.port),
        runDir,
      );
      log(`HAProxy on ${haproxy.url} in front of them`);
    }
    const t0 = Date.now();
    const since = (t: number) => round((t - t0) / 1000);
    load.start(clients);
    log(`${clients} clients sending inquiries for ${durationS} s`);
    await sleep(WARMUP_MS);
    const faults: (FaultRecord & { from: number; to: number })[] = [];
    const kinds = [...shuffled(FAULT_KINDS)];
    while (faults.length < FAULT_KINDS.length || Date.now() - t0 < durationS * 1000 - GAP_MS[1]) {
      if (!kinds.length) kinds.push(...shuffled(FAULT_KINDS));
      const kind = kinds.shift()!;
      const injectedAt = Date.now();
      const f = await inject(kind, { topology, services, kos, holdMs: HOLD_MS });
      log(`${since(injectedAt).toFixed(1)} s: ${kind}: ${f.target}`);
      await f.lifted;
      const back = await recovered(f.recovery, load, topology, cfg, injectedAt + RECOVERY_TIMEOUT_MS);
      const recoveredS = back ? round((back - injectedAt) / 1000) : null;
      log(`  ${recoveredS === null ? 'NOT recovered' : `recovered after ${recoveredS} s`}`);
      faults.push({
        kind,
        target: f.target,
        at_s: since(injectedAt),
        recovered_s: recoveredS,
        from: injectedAt,
        to: back ?? Date.now(),
      });
      if (!back) break;
      await sleep(GAP_MS[0] + Math.random() * (GAP_MS[1] - GAP_MS[0]));
    }
    const remaining = durationS * 1000 - (Date.now() - t0);
    if (remaining > 0) await sleep(remaining);
    await load.stop();
    const durationAll = since(Date.now());
    log(
      `load stopped after ${durationAll} s: ${load.acknowledged.length} inquiries acknowledged; checking the database`,
    );
    const stored = await storedEventually(cfg, topology, load.acknowledged);
    const lost = load.acknowledged.length - stored.count;
    const during = (a: Answer) => faults.some((f) => a.startedAt >= f.from && a.startedAt <= f.to);
    const answers = load.answers;
    return {
      ok: lost === 0 && faults.every((f) => f.recovered_s !== null),
      topology: topology.kind,
      duration_s: durationAll,
      clients,
      faults: faults.map(({ from: _f, to: _t, ...f }) => f),
      requests: answers.length,
      acknowledged: load.acknowledged.length,
      stored: stored.count,
      lost_acknowledged: lost,
      lost_sample: stored.missing.slice(0, 5),
      availability_pct: round((100 * load.acknowledged.length) / Math.max(1, answers.length), 3),
      p99_ms_during_faults: p99(answers.filter(during).map((a) => a.ms)),
      p99_ms_steady: p99(answers.filter((a) => !during(a)).map((a) => a.ms)),
      instances,
      via: haproxy ? `HAProxy ${haproxy.url}` : services[0]!.url,
      logs: runDir,
    };
  } finally {
    await load.stop();
    await haproxy?.stop();
    // The first instance last: it may own the servers, and stops them.
    for (const x of [...services].reverse()) {
      await x.stop(SERVE_STOP_GRACE_MS);
      await x.close();
    }
    await kos.close();
  }
}

/**
 * The data dir's topology, if the drill can crash it and someone brings it
 * back: HA (Patroni), or a single node no other process runs unsupervised
 * (not running: the drill's serve starts and supervises it; run by a live
 * serve: that one supervises it).
 */
async function localTopology(cfg: Readonly<Config>): Promise<Topology & { local: LocalTopology }> {
  const topology = openTopology(cfg);
  if (!topology.local)
    throw new BillInquiryError(
      'NOT_LOCAL',
      'the chaos drill crashes the database servers; the database is external (service.database)',
      'run the drill on a data dir whose servers this tool runs (`cluster up --ha`, or the single-node default)',
    );
  if (topology.kind === 'plain' && (await topology.local.running()) && !liveOwner(cfg))
    throw new BillInquiryError(
      'CHAOS_UNSUPERVISED',
      'the single-node PostgreSQL runs without a supervisor (started by `cluster up`): after the drill kills it nothing would start it again',
      'stop it (`bill-inquiry cluster down`) and let the drill start it through `serve`, which supervises it; or keep a `serve` running on this data dir',
    );
  return topology as Topology & { local: LocalTopology };
}

/** Polls until the fault's effect is gone; the time it was, or undefined at the deadline. */
async function recovered(
  how: Recovery,
  load: InquiryLoad,
  topology: Topology,
  cfg: Readonly<Config>,
  deadline: number,
): Promise<number | undefined> {
  while (Date.now() < deadline) {
    const a = await load.inquire(how === 'kos' ? 'miss' : 'hit');
    if (a.acknowledged && (how !== 'kos' || a.status === 200)) {
      if (how !== 'durable') return Date.now();
      const until = Math.min(deadline, Date.now() + DURABLE_WITHIN_MS);
      while (Date.now() < until) {
        if ((await countStored(cfg, topology, [a.requestId!]).catch(() => 0)) === 1) return Date.now();
        await sleep(PROBE_PAUSE_MS);
      }
    }
    await sleep(PROBE_PAUSE_MS);
  }
  return undefined;
}

async function countStored(cfg: Readonly<Config>, topology: Topology, ids: readonly string[]): Promise<number> {
  return withClient(await topology.admin(cfg.database.name), async (c) => {
    let n = 0;
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const r = await c.query<{ n: string }>(HISTORY_PRESENT, [ids.slice(i, i + ID_CHUNK)]);
      n += Number(r.rows[0]!.n);
    }
    return n;
  });
}

/** Waits (up to SETTLE_MS) for the service to write what it queued or journaled; then names what is missing. */
async function storedEventually(cfg: Readonly<Config>, topology: Topology, ids: readonly string[]) {
  const deadline = Date.now() + SETTLE_MS;
  let count = 0;
  while (Date.now() < deadline) {
    count = await countStored(cfg, topology, ids).catch(() => count);
    if (count === ids.length) return { count, missing: [] as string[] };
    await sleep(1000);
  }
  const missing = await withClient(await topology.admin(cfg.database.name), async (c) => {
    const r = await c.query<{ id: string }>(HISTORY_MISSING, [ids]);
    return r.rows.map((x) => x.id);
  });
  return { count, missing };
}

function shuffled<T>(xs: readonly T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

function p99(ms: number[]): number {
  if (!ms.length) return 0;
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]!;
}
