import { roleSpecs } from '../privileges.js';
import { ROLES, ROLE_VERIFIERS, type RoleRow } from '../sql/catalog.js';
import { check, expect, pass, type Check, type VerifyContext } from './check.js';

/** §4.2/§10.1 roles with exactly their attributes and memberships; SCRAM-SHA-256 only. */
export async function roleChecks(vc: VerifyContext): Promise<Check[]> {
  const specs = roleSpecs(vc.cfg);
  const rows = new Map((await vc.db.query<RoleRow>(ROLES, [specs.map((s) => s.name)])).rows.map((r) => [r.rolname, r]));
  const verifiers = vc.superuser
    ? new Map(
        (
          await vc.db.query<{ rolname: string; rolpassword: string | null }>(ROLE_VERIFIERS, [specs.map((s) => s.name)])
        ).rows.map((r) => [r.rolname, r.rolpassword]),
      )
    : undefined;
  const checks = specs.map((s) =>
    check(`role.${s.name}`, async () => {
      const r = rows.get(s.name);
      if (!r) return expect(false, 'missing');
      const extra = [
        r.rolsuper && 'SUPERUSER',
        r.rolcreatedb && 'CREATEDB',
        r.rolcreaterole && 'CREATEROLE',
        r.rolreplication && 'REPLICATION',
        r.rolbypassrls && 'BYPASSRLS',
      ].filter(Boolean);
      const membersOk = JSON.stringify([...r.member_of].sort()) === JSON.stringify([...s.memberOf].sort());
      const ok = r.rolcanlogin === s.login && extra.length === 0 && membersOk;
      return expect(
        ok,
        `${r.rolcanlogin ? 'LOGIN' : 'NOLOGIN'}${extra.length ? ` ${extra.join(' ')}` : ''}; member of: ${r.member_of.join(', ') || '(none)'} (plan: ${s.login ? 'LOGIN' : 'NOLOGIN'}, ${s.memberOf.join(', ') || 'no memberships'})`,
      );
    }),
  );
  const scram = specs
    .filter((s) => s.login)
    .map((s) =>
      check(`auth.scram.${s.name}`, async () => {
        if (!verifiers)
          return pass(
            'pg_authid is not readable by this admin (managed server): proven by the SCRAM logins of the privilege checks',
          );
        const v = verifiers.get(s.name) ?? '';
        return expect(v.startsWith('SCRAM-SHA-256$'), v ? `password stored as ${v.split('$')[0]}` : 'no password set');
      }),
    );
  return Promise.all([
    ...checks,
    ...scram,
    check('auth.password_encryption', async () => {
      const v = (await vc.db.query<{ v: string }>(`SELECT current_setting('password_encryption') AS v`)).rows[0]!.v;
      return expect(v === 'scram-sha-256', v);
    }),
    check('auth.hba-scram-only', async () => {
      if (!vc.superuser) return pass('pg_hba_file_rules is not readable by this admin (managed server)');
      const rules = (
        await vc.db.query<{ type: string; auth_method: string; line_number: number; error: string | null }>(
          'SELECT type, auth_method, line_number, error FROM pg_hba_file_rules',
        )
      ).rows;
      const weak = rules.filter((r) => r.error || !['scram-sha-256', 'reject', 'cert'].includes(r.auth_method));
      const plainAllowed = rules.filter(
        (r) => (r.type === 'host' || r.type === 'hostnossl') && r.auth_method !== 'reject',
      );
      const bad = [...weak, ...plainAllowed];
      return expect(
        bad.length === 0,
        bad.length
          ? `weak or non-TLS rules at lines ${bad.map((r) => r.line_number).join(', ')}`
          : `${rules.length} rules: SCRAM over hostssl (or local socket), everything else rejected`,
      );
    }),
  ]);
}
