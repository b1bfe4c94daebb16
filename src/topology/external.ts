import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { memoryFor } from '../cluster/local/instanceParameters.js';
import type { MemoryProfile } from '../cluster/local/memoryProfile.js';
import type { PatroniApi } from '../cluster/patroni/rest.js';
import { patroniClusterStatus, type HaMember } from '../cluster/patroni/status.js';
import type { ConnTarget } from '../db/connection.js';
import { BillInquiryError } from '../errors.js';
import { SecretStore } from '../system/secrets.js';
import { inRecovery, MultiHostLocator, PatroniLocator, staticLocator, type PatroniMember } from './locators.js';
import type { DbLocator, Endpoint, Member, MemberState, Topology, TopologyStatus } from './types.js';

type ExternalConfig = NonNullable<Config['service']['database']>;

/**
 * A database this tool does not run (`service.database`): a managed server
 * with fixed endpoints (Azure), a self-hosted multi-host cluster, or an
 * existing Patroni cluster. Nothing here starts, stops or supervises a server.
 */
export class ExternalTopology implements Topology {
  readonly kind = 'external';
  readonly locator: DbLocator;
  readonly local = undefined;
  private readonly ext: ExternalConfig;

  constructor(readonly cfg: Readonly<Config>) {
    this.ext = cfg.service.database!;
    const timing = { cacheMs: this.ext.locatorCacheMs, probeTimeoutMs: this.ext.probeTimeoutMs };
    if (this.ext.patroni) this.locator = new PatroniLocator(() => this.patroniMembers(), timing);
    else if (this.ext.hosts) this.locator = new MultiHostLocator(this.ext.hosts, (ep) => this.probeTarget(ep), timing);
    else this.locator = staticLocator(this.ext.primary!, this.ext.replica);
  }

  async members(): Promise<Member[]> {
    if (this.ext.patroni)
      return (await this.patroniMembers()).map((m) => ({ name: m.name, endpoint: m.endpoint, kind: 'member' }));
    if (this.ext.hosts)
      return this.ext.hosts.map((h) => ({ name: `${h.host}:${h.port}`, endpoint: h, kind: 'member' }));
    return [
      { name: 'primary', endpoint: this.ext.primary!, kind: 'primary' },
      ...(this.ext.replica ? [{ name: 'replica', endpoint: this.ext.replica, kind: 'replica' as const }] : []),
    ];
  }

  async memberStates(): Promise<MemberState[]> {
    if (this.ext.patroni) {
      const status = await patroniClusterStatus(this.apis(), timingOf(this.ext)).catch(() => undefined);
      return (await this.members()).map((m) => {
        const s = status?.members.find((x) => x.name === m.name);
        return { ...m, running: !!s && ['running', 'streaming'].includes(s.state), ...(s ? { role: s.role } : {}) };
      });
    }
    return Promise.all(
      (await this.members()).map(async (m) => {
        const r = await inRecovery(this.probeTarget(m.endpoint), this.ext.probeTimeoutMs);
        return { ...m, running: r !== undefined, ...(r === undefined ? {} : { role: r ? 'replica' : 'primary' }) };
      }),
    );
  }

  async status(): Promise<TopologyStatus> {
    const members = await this.memberStates();
    return { kind: 'external', ok: members.some((m) => m.role === 'primary' || m.role === 'leader'), members };
  }

  connection(ep: Endpoint, database: string, user: string, password: string): ConnTarget {
    return {
      ...ep,
      database,
      user,
      password,
      ...(this.ext.caFile ? { caFile: this.ext.caFile } : {}),
      // Verified by default (verify-full against the trusted store); off only by the loud test-setup switch.
      ...(this.ext.allowUnverifiedTls ? {} : { verifyFull: true }),
      ...(this.ext.servername ? { servername: this.ext.servername } : {}),
    };
  }

  admin(): Promise<ConnTarget> {
    return Promise.reject(adminUrlRequired());
  }

  memberAdmin(): ConnTarget {
    throw adminUrlRequired();
  }

  memory(): MemoryProfile {
    return memoryFor(this.cfg);
  }

  /**
   * Who probes pg_is_in_recovery() on a multi-host list: the application role
   * (its password from the secret store, never generated here).
   */
  private probeTarget(ep: Endpoint): ConnTarget {
    const user = this.cfg.database.roles.app;
    const password = new SecretStore(this.cfg.dataDir).peek(user);
    if (!password)
      throw new BillInquiryError(
        'NO_ROLE_SECRET',
        `no password for ${user} to find the primary among service.database.hosts`,
        `run \`bill-inquiry db apply --admin-url …\` with this data dir, or set ${SecretStore.envName(user)}`,
      );
    return { ...this.connection(ep, this.cfg.database.name, user, password), applicationName: 'bill-inquiry-locator' };
  }

  private apis(): PatroniApi[] {
    const ca = readCa(this.ext.patroni?.caFile ?? this.ext.caFile);
    return this.ext.patroni!.urls.map((url) => ({ name: url, url, ...(ca ? { ca } : {}) }));
  }

  /** The members as Patroni lists them (GET /cluster), each probed on its own REST API. */
  private async patroniMembers(): Promise<PatroniMember[]> {
    const apis = this.apis();
    const status = await patroniClusterStatus(apis, timingOf(this.ext));
    const ca = apis[0]?.ca;
    return status.members.map((m: HaMember) => ({
      name: m.name,
      api: { name: m.name, url: m.api_url ? new URL(m.api_url).origin : apis[0]!.url, ...(ca ? { ca } : {}) },
      endpoint: { host: m.host, port: m.port },
      readReplica: m.tags?.nofailover === true,
    }));
  }
}

const timingOf = (e: ExternalConfig) => ({ scope: 'external', timeoutMs: e.probeTimeoutMs });

const adminUrlRequired = () =>
  new BillInquiryError(
    'ADMIN_URL_REQUIRED',
    'the database is external (service.database): this tool has no superuser for it',
    'give --admin-url postgres://USER:PASSWORD@HOST:PORT/postgres (several hosts: HOST1:PORT1,HOST2:PORT2) or BILL_INQUIRY_ADMIN_URL',
  );

const caCache = new Map<string, string>();
function readCa(file: string | undefined): string | undefined {
  if (!file) return undefined;
  let ca = caCache.get(file);
  if (ca === undefined) caCache.set(file, (ca = readFileSync(file, 'utf8')));
  return ca;
}
