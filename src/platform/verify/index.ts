import pg from 'pg';
import type { Config } from '../../config/schema.js';
import { clientConfig, type ConnTarget } from '../../db/connection.js';
import { BillInquiryError } from '../../errors.js';
import { SecretStore } from '../../system/secrets.js';
import { connect, connectError } from '../connect.js';
import { roleSecretName, type LoginRole } from '../roleTargets.js';
import { SERVER_VERSION } from '../sql/catalog.js';
import type { Check, VerifyContext } from './check.js';
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

export type { Check } from './check.js';

const POOL_SIZE = 4;

export interface VerifyResult {
  ok: boolean;
  checks: Check[];
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
    applicationName: 'bill-inquiry-verify',
  };
}

/**
 * Proves every checkable statement of the plan against the live server. A
 * failing or crashing check is reported with the others, never instead of
 * them; ok only when every check passed.
 */
export async function verifyDatabase(cfg: Readonly<Config>, admin: ConnTarget): Promise<VerifyResult> {
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
    return { ok: checks.every((c) => c.ok), checks };
  } finally {
    await db.end().catch(() => {});
  }
}
