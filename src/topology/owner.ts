import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { processAlive } from '../cluster/local/postmaster.js';
import type { Config } from '../config/schema.js';

// Which `serve` started the data dir's servers. A serve that dies without its
// clean shutdown (kill -9, OOM) leaves them running and unsupervised; the
// serve its process manager starts next finds this record naming a dead
// process and takes the servers over: it supervises them and stops them on
// exit, as their first owner would have.

const ownerFile = (cfg: Readonly<Config>) => path.join(cfg.dataDir, 'serve.owner');

function ownerPid(cfg: Readonly<Config>): number | undefined {
  try {
    const pid = Number(readFileSync(ownerFile(cfg), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A live serve that started the data dir's servers and supervises them. */
export function liveOwner(cfg: Readonly<Config>): number | undefined {
  const pid = ownerPid(cfg);
  return pid !== undefined && processAlive(pid) ? pid : undefined;
}

/** The pid of a serve that started the servers and died without stopping them; undefined otherwise. */
export function deadOwner(cfg: Readonly<Config>): number | undefined {
  const pid = ownerPid(cfg);
  return pid !== undefined && pid !== process.pid && !processAlive(pid) ? pid : undefined;
}

export function claimOwnership(cfg: Readonly<Config>): void {
  writeFileSync(ownerFile(cfg), `${process.pid}\n`, { mode: 0o600 });
}

/** After a clean stop of what this process owned: nobody owns the (stopped) servers any more. */
export function releaseOwnership(cfg: Readonly<Config>): void {
  if (ownerPid(cfg) === process.pid) rmSync(ownerFile(cfg), { force: true });
}
