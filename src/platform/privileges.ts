import type { Config } from '../config/schema.js';

/** Privileges per grantee on one kind of object; `PUBLIC` is the pseudo-role every role belongs to. */
export type AclSpec = Record<string, readonly string[]>;

export const PUBLIC = 'PUBLIC';
const CRUD = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
const READ = ['SELECT'] as const;

/**
 * The privilege table of plan §4.2 and §10.1, as data: apply reconciles it,
 * verify proves it, docs/platform.md prints it. Roles not named here keep
 * whatever they have; named roles get exactly these privileges (no TRUNCATE,
 * REFERENCES, TRIGGER, TEMPORARY …).
 */
export function desiredAcls(cfg: Readonly<Config>) {
  const r = cfg.database.roles;
  const connectOnly = ['CONNECT'];
  return {
    /** §4.2 GRANT CONNECT per login role; §10.1 ALL to bill_admin; PUBLIC loses its implicit CONNECT/TEMPORARY. */
    database: {
      [PUBLIC]: [],
      [r.admin]: ['CONNECT', 'CREATE', 'TEMPORARY'],
      [r.app]: connectOnly,
      [r.readonly]: connectOnly,
      [r.backup]: connectOnly,
      [r.developer]: connectOnly,
      [r.auditor]: connectOnly,
    } satisfies AclSpec,
    /** REVOKE CREATE ON SCHEMA public FROM PUBLIC (PG14 gave it to everyone); the admin owns the schema objects. */
    schema: {
      [PUBLIC]: ['USAGE'],
      [r.admin]: ['USAGE', 'CREATE'],
      [r.app]: ['USAGE'],
      [r.readonly]: ['USAGE'],
      [r.developer]: ['USAGE'],
      [r.auditor]: ['USAGE'],
    } satisfies AclSpec,
    /** Tables and views of schema public (owned by bill_admin). Backup reads through pg_read_all_data. */
    table: {
      [PUBLIC]: [],
      [r.app]: CRUD,
      [r.readonly]: READ,
      [r.developer]: READ,
      [r.auditor]: READ,
      [r.backup]: [],
    } satisfies AclSpec,
    /** §4.2 GRANT USAGE, SELECT ON ALL SEQUENCES to the application only. */
    sequence: {
      [PUBLIC]: [],
      [r.app]: ['USAGE', 'SELECT'],
      [r.readonly]: [],
      [r.developer]: [],
      [r.auditor]: [],
      [r.backup]: [],
    } satisfies AclSpec,
  };
}

export type DesiredAcls = ReturnType<typeof desiredAcls>;

/** Login roles (SCRAM password) and NOLOGIN group roles, with built-in roles each is a member of. */
export function roleSpecs(cfg: Readonly<Config>) {
  const r = cfg.database.roles;
  return [
    { name: r.app, login: true, key: 'app' as const, memberOf: [] as string[] },
    // §4.2 "monitoring/analytics": pg_monitor reads statistics views, never writes.
    { name: r.readonly, login: true, key: 'readonly' as const, memberOf: ['pg_monitor'] },
    // pg_dump of the whole database and nothing else: pg_read_all_data (PG14+, the plan's version).
    { name: r.backup, login: true, key: 'backup' as const, memberOf: ['pg_read_all_data'] },
    { name: r.admin, login: false, memberOf: [] as string[] },
    { name: r.developer, login: false, memberOf: [] as string[] },
    { name: r.auditor, login: false, memberOf: [] as string[] },
  ];
}
export type RoleSpec = ReturnType<typeof roleSpecs>[number];

/** Difference between an ACL as found and as wanted, per grantee. */
export function aclDiff(
  actual: Map<string, Set<string>>,
  wanted: AclSpec,
): Array<{ grantee: string; grant: string[]; revoke: string[] }> {
  const out: Array<{ grantee: string; grant: string[]; revoke: string[] }> = [];
  for (const [grantee, privs] of Object.entries(wanted)) {
    const have = actual.get(grantee) ?? new Set<string>();
    const grant = privs.filter((p) => !have.has(p));
    const revoke = [...have].filter((p) => !privs.includes(p));
    if (grant.length || revoke.length) out.push({ grantee, grant, revoke });
  }
  return out;
}
