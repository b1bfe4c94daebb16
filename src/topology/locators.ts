import pg from 'pg';
import { patroniRequest, type PatroniApi } from '../cluster/patroni/rest.js';
import { clientConfig, type ConnTarget } from '../db/connection.js';
import { BillInquiryError } from '../errors.js';
import type { DbLocator, Endpoint } from './types.js';

/** Fixed endpoints: the service.database primary/replica of a managed server (Azure). */
export function staticLocator(primary: Endpoint, replica?: Endpoint): DbLocator {
  return { primary: async () => primary, replica: async () => replica };
}

const noPrimary = () =>
  new BillInquiryError(
    'NO_PRIMARY',
    'no PostgreSQL primary right now (failover in progress?)',
    'retry shortly; `bill-inquiry cluster status` shows the members',
  );

interface Found {
  primary?: Endpoint;
  replica?: Endpoint;
  at: number;
}

/**
 * Shared shape of the discovering locators: one lookup at a time, its answer
 * trusted for `cacheMs` once it found a primary (no answer is never cached:
 * mid-failover every call asks again).
 */
abstract class CachingLocator implements DbLocator {
  private cached?: Found;
  private pending?: Promise<Found>;
  /** Bumped by invalidate(): a lookup that started before it must not cache its (possibly stale) answer. */
  private generation = 0;

  constructor(private readonly cacheMs: number) {}

  async primary(): Promise<Endpoint> {
    const ep = (await this.lookup()).primary;
    if (!ep) {
      this.invalidate();
      throw noPrimary();
    }
    return ep;
  }

  async replica(): Promise<Endpoint | undefined> {
    return (await this.lookup()).replica;
  }

  invalidate(): void {
    this.cached = undefined;
    this.generation++;
  }

  protected abstract discover(): Promise<Omit<Found, 'at'>>;

  private async lookup(): Promise<Found> {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return this.cached;
    const generation = this.generation;
    this.pending ??= this.discover()
      .then((f) => {
        const found = { ...f, at: Date.now() };
        if (found.primary && generation === this.generation) this.cached = found;
        return found;
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}

/** A Patroni member: its REST API and its PostgreSQL address. */
export interface PatroniMember {
  name: string;
  api: PatroniApi;
  endpoint: Endpoint;
  /** Tagged nofailover/nosync (the async read replica): preferred for reads so the sync standby's commits stay fast. */
  readReplica: boolean;
}

/**
 * The HA answer: asks every member's Patroni REST API in parallel. `GET
 * /primary` is 200 only on the member running as leader right now (its own
 * view, not a stale DCS record), `GET /replica` 200 only on a streaming
 * replica.
 */
export class PatroniLocator extends CachingLocator {
  constructor(
    private readonly members: () => Promise<PatroniMember[]>,
    private readonly opts: { cacheMs: number; probeTimeoutMs: number },
  ) {
    super(opts.cacheMs);
  }

  protected async discover(): Promise<Omit<Found, 'at'>> {
    const members = await this.members();
    const probe = async (m: PatroniMember, path: string) => {
      try {
        return (await patroniRequest(m.api, 'GET', path, { timeoutMs: this.opts.probeTimeoutMs })).status;
      } catch {
        return 0;
      }
    };
    const [primaries, replicas] = await Promise.all([
      Promise.all(members.map((m) => probe(m, '/primary'))),
      Promise.all(members.map((m) => probe(m, '/replica'))),
    ]);
    const primary = members.find((_, i) => primaries[i] === 200);
    const streaming = members.filter((_, i) => replicas[i] === 200);
    const replica = streaming.find((m) => m.readReplica) ?? streaming[0];
    return { primary: primary?.endpoint, replica: replica?.endpoint };
  }
}

/**
 * A multi-host list without a manager to ask: connects to every host and asks
 * `pg_is_in_recovery()` — the primary is the one that is not (what libpq's
 * target_session_attrs=read-write does), a replica one that is.
 */
export class MultiHostLocator extends CachingLocator {
  constructor(
    private readonly hosts: readonly Endpoint[],
    private readonly probeAs: (ep: Endpoint) => ConnTarget,
    private readonly opts: { cacheMs: number; probeTimeoutMs: number },
  ) {
    super(opts.cacheMs);
  }

  protected async discover(): Promise<Omit<Found, 'at'>> {
    const states = await Promise.all(this.hosts.map((h) => inRecovery(this.probeAs(h), this.opts.probeTimeoutMs)));
    return {
      primary: this.hosts.find((_, i) => states[i] === false),
      replica: this.hosts.find((_, i) => states[i] === true),
    };
  }
}

/** pg_is_in_recovery() of one server; undefined when it does not answer in time. */
export async function inRecovery(target: ConnTarget, timeoutMs: number): Promise<boolean | undefined> {
  const client = new pg.Client(clientConfig(target, { connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs }));
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}
