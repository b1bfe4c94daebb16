import pg from 'pg';
import type { MemoryProfile } from '../../cluster/local/memoryProfile.js';
import type { Config } from '../../config/schema.js';
import { clientConfig, type ConnTarget } from '../../db/connection.js';
import { errorMessage } from '../../errors.js';
import { expect, VERIFY_APPLICATION_NAME, type Check } from './check.js';
import { serverParameterChecks } from './parameters.js';
import { MEMBER_ROLE, MEMBER_TLS, REPLICAS_OF_PRIMARY, WAL_RECEIVER } from './sql/members.js';

/** A member to check: its name and a superuser (or admin) connection to it. */
export interface MemberToVerify {
  name: string;
  target: ConnTarget;
}

/** What `db verify` found on one member (in its JSON `members`). */
export interface MemberReport {
  name: string;
  endpoint: string;
  role: 'primary' | 'replica' | 'unreachable';
  error?: string;
  tls?: { ssl: string; minProtocol: string; thisConnection: string };
  parameters?: { ok: boolean; checked: number; mismatched: string[] };
  replication?:
    | { replicas: Array<{ name: string; state: string; syncState: string; lagBytes: number }> }
    | { receiver: string; from: string | null; lagBytes: number | null };
}

/**
 * Every member of the topology, as the plan wants each of them (§2.2, §3.2,
 * §5.1, §7): its role now, TLS on with the plan's minimum (and this very
 * connection encrypted), the plan's parameters, and replication (the primary
 * streams to every other member; a replica receives). Each becomes checks
 * `member.<name>.*` (parameters only for members other than the `verified`
 * server, whose `parameter.*` checks ran already) and an entry of the report.
 */
export async function memberChecks(
  cfg: Readonly<Config>,
  memory: MemoryProfile,
  members: MemberToVerify[],
  verified: { host: string; port: number },
): Promise<{ checks: Check[]; reports: MemberReport[] }> {
  const reports = await Promise.all(members.map((m) => inspect(cfg, memory, m)));
  const primaries = reports.filter((r) => r.role === 'primary');
  const checks: Check[] = [];
  for (const r of reports) {
    const id = (what: string) => `member.${r.name}.${what}`;
    if (r.role === 'unreachable') {
      checks.push({ id: id('reachable'), ok: false, detail: `${r.endpoint}: ${r.error}` });
      continue;
    }
    checks.push({ id: id('role'), ...expect(true, `${r.endpoint} is ${r.role}`) });
    checks.push({
      id: id('tls'),
      ...expect(
        r.tls!.ssl === 'on' &&
          r.tls!.minProtocol === cfg.server.sslMinProtocolVersion &&
          r.tls!.thisConnection !== 'none',
        `ssl ${r.tls!.ssl}, minimum ${r.tls!.minProtocol} (plan: ${cfg.server.sslMinProtocolVersion}), this connection ${r.tls!.thisConnection}`,
      ),
    });
    // The server verified above has its `parameter.*` checks already: its report keeps the figures, no second check.
    const same = r.endpoint === `${verified.host}:${verified.port}`;
    if (!same)
      checks.push({
        id: id('parameters'),
        ...expect(
          r.parameters!.ok,
          r.parameters!.ok
            ? `all ${r.parameters!.checked} plan parameters as configured`
            : `differs from the plan: ${r.parameters!.mismatched.join('; ')}`,
        ),
      });
    checks.push({ id: id('replication'), ...replicationVerdict(r, members.length) });
  }
  if (members.length > 1)
    checks.push({
      id: 'members.one-primary',
      ...expect(
        primaries.length === 1,
        `${primaries.length} primar${primaries.length === 1 ? 'y' : 'ies'}: ${primaries.map((p) => p.name).join(', ') || 'none'}`,
      ),
    });
  return { checks, reports };
}

function replicationVerdict(r: MemberReport, memberCount: number): { ok: boolean; detail: string } {
  const rep = r.replication!;
  if ('replicas' in rep) {
    const streaming = rep.replicas.filter((x) => x.state === 'streaming');
    return expect(
      streaming.length >= memberCount - 1,
      memberCount === 1 && !rep.replicas.length
        ? 'single server: no replicas expected'
        : `streams to ${streaming.length} of ${memberCount - 1} other member(s): ${rep.replicas.map((x) => `${x.name} ${x.state}/${x.syncState} lag ${x.lagBytes} B`).join(', ') || 'none'}`,
    );
  }
  return expect(
    rep.receiver === 'streaming',
    `WAL receiver ${rep.receiver} from ${rep.from ?? '?'}, replay ${rep.lagBytes ?? '?'} B behind what it received`,
  );
}

async function inspect(cfg: Readonly<Config>, memory: MemoryProfile, m: MemberToVerify): Promise<MemberReport> {
  const endpoint = `${m.target.host}:${m.target.port}`;
  const db = new pg.Pool({
    ...clientConfig(
      { ...m.target, database: 'postgres', applicationName: VERIFY_APPLICATION_NAME },
      { connectionTimeoutMillis: cfg.database.connectTimeoutMs },
    ),
    max: 1,
  });
  db.on('error', () => {});
  try {
    const [role] = (await db.query<{ in_recovery: boolean }>(MEMBER_ROLE)).rows;
    const [tls] = (await db.query<{ ssl: string; min: string; version: string | null }>(MEMBER_TLS)).rows;
    const params = await serverParameterChecks(cfg, memory, db);
    const bad = params.filter((c) => !c.ok);
    const replica = role!.in_recovery;
    const replication: MemberReport['replication'] = replica
      ? ((rows) => ({
          receiver: rows[0]?.status ?? 'none',
          from: rows[0]?.sender ?? null,
          lagBytes: rows[0]?.lag_bytes ?? null,
        }))((await db.query<{ status: string; sender: string | null; lag_bytes: number | null }>(WAL_RECEIVER)).rows)
      : {
          replicas: (
            await db.query<{ name: string; state: string; sync_state: string; lag_bytes: number }>(REPLICAS_OF_PRIMARY)
          ).rows.map((x) => ({ name: x.name, state: x.state, syncState: x.sync_state, lagBytes: Number(x.lag_bytes) })),
        };
    return {
      name: m.name,
      endpoint,
      role: replica ? 'replica' : 'primary',
      tls: { ssl: tls!.ssl, minProtocol: tls!.min, thisConnection: tls!.version ?? 'none' },
      parameters: {
        ok: bad.length === 0,
        checked: params.length,
        mismatched: bad.map((c) => `${c.id.replace(/^parameter\./, '')} ${c.detail}`),
      },
      replication,
    };
  } catch (e) {
    return { name: m.name, endpoint, role: 'unreachable', error: errorMessage(e) };
  } finally {
    await db.end().catch(() => {});
  }
}
