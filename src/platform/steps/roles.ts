import type pg from 'pg';
import { escapeLiteral } from 'pg';
import { SecretStore } from '../../system/secrets.js';
import { connect } from '../connect.js';
import { ident, type StepContext } from '../context.js';
import { roleSpecs, type RoleSpec } from '../privileges.js';
import { rolePassword, roleSecretName } from '../roleTargets.js';
import { scramMatches, scramVerifier } from '../../db/scram.js';
import { IS_MEMBER, ROLES, ROLE_VERIFIERS, type RoleRow } from '../sql/catalog.js';

const attributes = (s: RoleSpec) =>
  `${s.login ? 'LOGIN' : 'NOLOGIN'} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`;
const attributesOk = (s: RoleSpec, r: RoleRow) =>
  r.rolcanlogin === s.login &&
  !r.rolsuper &&
  !r.rolcreatedb &&
  !r.rolcreaterole &&
  !r.rolreplication &&
  !r.rolbypassrls;

/** §4.2/§10.1 roles: exact attributes, SCRAM passwords from the secret store, exact built-in memberships. */
export async function ensureRoles(ctx: StepContext, admin: pg.Client, superuser: boolean): Promise<void> {
  const specs = roleSpecs(ctx.cfg);
  const rows = new Map((await admin.query<RoleRow>(ROLES, [specs.map((s) => s.name)])).rows.map((r) => [r.rolname, r]));
  const verifiers = superuser ? await readVerifiers(admin, specs) : undefined;
  for (const spec of specs) {
    const row = rows.get(spec.name);
    const password = spec.key ? passwordFor(ctx, spec.key) : undefined;
    const withPassword = password ? ` PASSWORD ${escapeLiteral(scramVerifier(password))}` : '';
    if (!row) {
      await ctx.change(admin, { id: `role:${spec.name}`, action: 'create', detail: attributes(spec) }, [
        `CREATE ROLE ${ident(spec.name)} ${attributes(spec)}${withPassword}`,
      ]);
    } else {
      if (!attributesOk(spec, row)) {
        await ctx.change(admin, { id: `role:${spec.name}`, action: 'alter', detail: attributes(spec) }, [
          `ALTER ROLE ${ident(spec.name)} ${attributes(spec)}`,
        ]);
      }
      if (spec.key && password === undefined) {
        await ctx.change(
          undefined,
          { id: `role:${spec.name}:password`, action: 'set', detail: 'a new secret would be generated' },
          [],
        );
      } else if (password !== undefined && !(await passwordCurrent(ctx, spec.name, password, verifiers))) {
        await ctx.change(
          admin,
          { id: `role:${spec.name}:password`, action: 'set', detail: 'SCRAM-SHA-256 from the secret store' },
          [`ALTER ROLE ${ident(spec.name)}${withPassword}`],
        );
      }
    }
    await reconcileMembership(ctx, admin, spec, row?.member_of ?? []);
  }
  if (!superuser) await ensureAdminCanSetRole(ctx, admin, new Set(rows.keys()));
}

function passwordFor(ctx: StepContext, key: 'app' | 'readonly' | 'backup'): string | undefined {
  // A dry run must not create secret files; a missing one means "would be generated".
  return ctx.dryRun ? new SecretStore(ctx.cfg.dataDir).peek(roleSecretName(ctx.cfg, key)) : rolePassword(ctx.cfg, key);
}

async function readVerifiers(admin: pg.Client, specs: RoleSpec[]): Promise<Map<string, string | null>> {
  const rows = (
    await admin.query<{ rolname: string; rolpassword: string | null }>(ROLE_VERIFIERS, [specs.map((s) => s.name)])
  ).rows;
  return new Map(rows.map((r) => [r.rolname, r.rolpassword]));
}

/** Without pg_authid (managed servers) the proof is a login; when that is impossible (no database yet), reset. */
async function passwordCurrent(
  ctx: StepContext,
  role: string,
  password: string,
  verifiers?: Map<string, string | null>,
): Promise<boolean> {
  if (verifiers) return scramMatches(verifiers.get(role) ?? null, password);
  if (!ctx.admin) return false;
  try {
    const client = await connect(ctx.cfg, { ...ctx.admin, user: role, password, database: ctx.cfg.database.name });
    await client.end();
    return true;
  } catch {
    return false;
  }
}

async function reconcileMembership(
  ctx: StepContext,
  admin: pg.Client,
  spec: RoleSpec,
  current: string[],
): Promise<void> {
  for (const group of spec.memberOf.filter((g) => !current.includes(g))) {
    await ctx.change(admin, { id: `role:${spec.name}:member:${group}`, action: 'grant' }, [
      `GRANT ${ident(group)} TO ${ident(spec.name)}`,
    ]);
  }
  for (const group of current.filter((g) => !spec.memberOf.includes(g))) {
    await ctx.change(admin, { id: `role:${spec.name}:member:${group}`, action: 'revoke', detail: 'not in the plan' }, [
      `REVOKE ${ident(group)} FROM ${ident(spec.name)}`,
    ]);
  }
}

/**
 * A non-superuser admin must be a member of the roles it SETs: bill_admin
 * (migrations run as the schema owner) and the read-only groups (verify proves
 * their privileges by acting as them).
 */
async function ensureAdminCanSetRole(ctx: StepContext, admin: pg.Client, existing: Set<string>): Promise<void> {
  const r = ctx.cfg.database.roles;
  for (const role of [r.admin, r.developer, r.auditor]) {
    const member = existing.has(role) && (await admin.query<{ member: boolean }>(IS_MEMBER, [role])).rows[0]?.member;
    if (!member)
      await ctx.change(
        admin,
        { id: `role:${role}:member:current_user`, action: 'grant', detail: 'so the admin can SET ROLE' },
        [`GRANT ${ident(role)} TO CURRENT_USER`],
      );
  }
}
