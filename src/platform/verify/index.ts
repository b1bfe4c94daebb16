import pg from 'pg';
import type { Config } from '../../config/schema.js';
import { clientConfig, type ConnTarget } from '../../db/connection.js';
import { BillInquiryError } from '../../errors.js';
import { SecretStore } from '../../system/secrets.js';
import { connect, connectError } from '../connect.js';
import { roleSecretName, type LoginRole } from '../roleTargets.js';
import { SERVER_VERSION } from '../sql/catalog.js';
import { VERIFY_APPLICATION_NAME, type Check, type VerifyContext } from './check.js';
import { connectionChecks } from './connections.js';
import { databaseChecks } from './database.js';
import { extensionChecks } from './extensions.js';
import { parameterChecks } from './parameters.js';
import { pgDumpChecks } from './pgDump.js';
import { privilegeChecks } from './privileges.js';
import { roleChecks } from './roles.js';
import { roundTripChecks } from './roundTrip.js';
import { schemaChecks } from './schema.js';
import { tlsChecks } from './tls.js';
import { memberChecks, type MemberReport, type MemberToVerify } from './members.js';
import { scaledProfile, type MemoryProfile } from '../../cluster/local/memoryProfile.js';

export type { Check } from './check.js';

const POOL_SIZE = 4;

export interface VerifyResult {
  ok: boolean;
  checks: Check[];
  /** Every member of the topology: role, TLS, parameters, replication (when members were given). */
  members?: MemberReport[];
}

export interface VerifyOptions {
  /** The memory profile the servers run with (default: the plan's scaled to this machine; HA nodes share it). */
  memory?: MemoryProfile;
  /** The topology's members, each checked on its own connection (role, TLS, parameters, replication). */
  members?: MemberToVerify[];
}

const GROUPS: Array<[string, (vc: VerifyContext) => Promise<Check[]>]> = [
  ['database', databaseChecks],
  ['extensions', extensionChecks],
  ['schema', schemaChecks],
  ['roles', roleChecks],
  ['privileges', privilegeChecks],
  ['backup', pgDumpChecks],
  ['round-trip', roundTripChecks],
  ['tls', tlsChecks],
  ['parameters', parameterChecks],
  ['connections', connectionChecks],
];

/** How a login role connects: the admin's server, the plan's database, the role's secret (never generated here). */
export function loginTarget(cfg: Readonly<Config>, admin: ConnTarget, role: LoginRole): ConnTarget {
  const name = roleSecretName(cfg, role);
  const password = new SecretStore(cfg.dataDir).peek(name);
  if (!password) {
    throw new BillInquiryError(
      'NO_ROLE_SECRET',
      `no password for ${name}`,
      `run db apply, or set ${SecretStore.envName(name)}`,
    );
  }
  return {
    ...admin,
    database: cfg.database.name,
    user: cfg.database.roles[role],
    password,
    applicationName: VERIFY_APPLICATION_NAME,
  };
}

/**
 * Proves every checkable statement of the plan against the live server. A
 * failing or crashing check is reported with the others, never instead of
 * them; ok only when every check passed.
 */
export async function verifyDatabase(
  cfg: Readonly<Config>,
  adminTarget: ConnTarget,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const memory = opts.memory ?? scaledProfile(cfg.server);
  // Every connection of the verifier carries its name: its deliberate refusals stay out of the error-log review.
  const admin = { ...adminTarget, applicationName: VERIFY_APPLICATION_NAME };
  const server = await connect(cfg, admin);
  let info: { version: number; superuser: boolean };
  try {
    info = (await server.query<{ version: number; superuser: boolean }>(SERVER_VERSION)).rows[0]!;
  } finally {
    await server.end().catch(() => {});
  }
  // A small pool: groups run their catalog queries concurrently without queueing on one client.
  const db = new pg.Pool({
    ...clientConfig(
      { ...admin, database: cfg.database.name },
      { connectionTimeoutMillis: cfg.database.connectTimeoutMs },
    ),
    max: POOL_SIZE,
  });
  db.on('error', () => {});
  try {
    await db.query('SELECT 1');
  } catch (e) {
    await db.end().catch(() => {});
    return {
      ok: false,
      checks: [
        {
          id: 'database.exists',
          ok: false,
          detail: connectError({ ...admin, database: cfg.database.name }, e).toLine(),
        },
      ],
    };
  }
  try {
    const vc: VerifyContext = {
      cfg,
      admin,
      db,
      serverVersion: info.version,
      superuser: info.superuser,
      memory,
      roleTarget: (role) => loginTarget(cfg, admin, role),
    };
    const checks: Check[] = [];
    for (const [group, run] of GROUPS) {
      try {
        checks.push(...(await run(vc)));
      } catch (e) {
        checks.push({
          id: `${group}`,
          ok: false,
          detail: `group could not run: ${e instanceof Error ? e.message : String(e)}`,
        });
      }
    }
    const members = opts.members?.length ? await memberChecks(cfg, memory, opts.members, admin) : undefined;
    if (members) checks.push(...members.checks);
    return { ok: checks.every((c) => c.ok), checks, ...(members ? { members: members.reports } : {}) };
  } finally {
    await db.end().catch(() => {});
  }
}
