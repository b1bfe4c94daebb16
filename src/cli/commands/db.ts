import { Option, type Command } from 'commander';
import { LocalInstance } from '../../cluster/local/localCluster.js';
import type { Config } from '../../config/schema.js';
import { connectionUrl, type ConnTarget } from '../../db/connection.js';
import { adminTargetFromUrl, ADMIN_URL_ENV } from '../../platform/adminTarget.js';
import { applyDatabase, type ApplyResult } from '../../platform/apply.js';
import { maintainPartitions, type MaintainResult } from '../../platform/partitions.js';
import { roleSecretName, type LoginRole } from '../../platform/roleTargets.js';
import { loginTarget, verifyDatabase, type VerifyResult } from '../../platform/verify/index.js';
import { BillInquiryError } from '../../errors.js';
import { SecretStore } from '../../system/secrets.js';
import { commandConfig, globals } from '../context.js';
import { emit, progress } from '../output.js';

interface TargetOptions {
  adminUrl?: string;
}

/** The admin connection: --admin-url, else BILL_INQUIRY_ADMIN_URL, else the local cluster's superuser. */
function adminTarget(cfg: Readonly<Config>, opts: TargetOptions): { target: ConnTarget; where: string } {
  const url = opts.adminUrl ?? process.env[ADMIN_URL_ENV];
  if (url) {
    const target = adminTargetFromUrl(url);
    return { target, where: `${target.host}:${target.port}` };
  }
  const primary = new LocalInstance(cfg, 'primary');
  if (!primary.initialized) {
    throw new BillInquiryError(
      'NO_CLUSTER',
      `no local cluster in ${cfg.dataDir}`,
      `run \`bill-inquiry cluster up\` first, or give --admin-url / ${ADMIN_URL_ENV}`,
    );
  }
  return { target: primary.target(), where: `local cluster ${cfg.cluster.host}:${primary.port}` };
}

const adminUrlOption = () =>
  new Option(
    '--admin-url <url>',
    `admin connection postgres://USER:PASSWORD@HOST:PORT/postgres?sslmode=require (env ${ADMIN_URL_ENV}); default: the local cluster`,
  );

export function registerDbCommands(program: Command): void {
  const db = program
    .command('db')
    .description('install and verify the Bill-Inquiry database as the plan says (§4, §5, §6, §10)');

  db.command('plan')
    .description('show what `db apply` would change, changing nothing')
    .addOption(adminUrlOption())
    .action(async (opts: TargetOptions, cmd: Command) => {
      const cfg = commandConfig(cmd);
      const { target } = adminTarget(cfg, opts);
      emit(await applyDatabase(cfg, target, { dryRun: true }), globals(cmd), (r) => renderApply(r, 'would'));
    });

  db.command('apply')
    .description('make the database match the plan (idempotent: a second run changes nothing)')
    .addOption(adminUrlOption())
    .action(async (opts: TargetOptions, cmd: Command) => {
      const cfg = commandConfig(cmd);
      const { target, where } = adminTarget(cfg, opts);
      progress(`applying ${cfg.database.name} on ${where}`);
      const result = await applyDatabase(cfg, target, { onProgress: globals(cmd).json ? undefined : progress });
      emit(result, globals(cmd), (r) => renderApply(r, 'made'));
    });

  db.command('verify')
    .description('prove every checkable statement of the plan; exit 0 only when all pass')
    .addOption(adminUrlOption())
    .action(async (opts: TargetOptions, cmd: Command) => {
      const cfg = commandConfig(cmd);
      const { target } = adminTarget(cfg, opts);
      const result = await verifyDatabase(cfg, target);
      emit(result, globals(cmd), renderVerify);
      if (!result.ok) process.exitCode = 1;
    });

  db.command('maintain')
    .description('create monthly partitions ahead and drop those past retention (KOS 365 days, then bill 730 days)')
    .addOption(adminUrlOption())
    .option('--now <iso-date>', 'pretend it is this moment (testing retention)', parseDate)
    .action(async (opts: TargetOptions & { now?: Date }, cmd: Command) => {
      const cfg = commandConfig(cmd);
      const { target } = adminTarget(cfg, opts);
      emit({ ok: true, ...(await maintainPartitions(cfg, target, opts.now)) }, globals(cmd), renderMaintain);
    });

  db.command('credentials')
    .description('how the application roles connect; passwords only with --show-password')
    .addOption(adminUrlOption())
    .addOption(new Option('--role <role>', 'login role').choices(['app', 'readonly', 'backup']).default('app'))
    .option('--show-password', 'include the password and a URL with it')
    .action((opts: TargetOptions & { role: LoginRole; showPassword?: boolean }, cmd: Command) => {
      const cfg = commandConfig(cmd);
      const { target: admin } = adminTarget(cfg, opts);
      const target = loginTarget(cfg, admin, opts.role);
      const secret = roleSecretName(cfg, opts.role);
      const fromEnv = Boolean(process.env[SecretStore.envName(secret)]);
      const result = {
        ok: true,
        role: opts.role,
        user: target.user,
        host: target.host,
        port: target.port,
        database: target.database,
        sslmode: target.caFile ? 'verify-full' : 'require',
        ...(target.caFile ? { sslrootcert: target.caFile } : {}),
        passwordSource: fromEnv ? `env ${SecretStore.envName(secret)}` : new SecretStore(cfg.dataDir).file(secret),
        url: connectionUrl(target, Boolean(opts.showPassword)),
        ...replicaUrl(cfg, opts, target, Boolean(opts.showPassword)),
        ...(opts.showPassword ? { password: target.password } : {}),
      };
      emit(result, globals(cmd), (r) =>
        [
          `${r.user} @ ${r.host}:${r.port}/${r.database} (sslmode=${r.sslmode})`,
          `url: ${r.url}`,
          ...(r.replicaUrl ? [`replica: ${r.replicaUrl}`] : []),
          `password: ${opts.showPassword ? r.password : `in ${r.passwordSource} (--show-password prints it)`}`,
        ].join('\n'),
      );
    });
}

/** The local read replica, when there is one: where §7.2 sends reads and analytics. */
function replicaUrl(
  cfg: Readonly<Config>,
  opts: TargetOptions,
  target: ConnTarget,
  withPassword: boolean,
): { replicaUrl?: string } {
  const remote = Boolean(opts.adminUrl || process.env[ADMIN_URL_ENV]);
  const replica = new LocalInstance(cfg, 'replica');
  if (remote || !replica.initialized) return {};
  return { replicaUrl: connectionUrl({ ...target, port: replica.port }, withPassword) };
}

function parseDate(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new BillInquiryError(
      'BAD_DATE',
      `--now must be an ISO date, got "${value}"`,
      'e.g. --now 2027-01-15T00:00:00Z',
    );
  return d;
}

function renderApply(r: ApplyResult, verb: 'would' | 'made'): string {
  const head = r.changes.length
    ? `${verb === 'would' ? 'would make' : 'made'} ${r.changes.length} change(s) to ${r.database} on ${r.server.host}:${r.server.port}:`
    : `${r.database} on ${r.server.host}:${r.server.port} already matches the plan: no changes`;
  return [
    head,
    ...r.changes.map((c) => `  ${c.action} ${c.id}${c.detail ? ` (${c.detail})` : ''}`),
    ...r.warnings.map((w) => `WARNING: ${w}`),
  ].join('\n');
}

function renderVerify(r: VerifyResult): string {
  const failed = r.checks.filter((c) => !c.ok);
  return [
    ...r.checks.map((c) => `${c.ok ? (c.warn ? 'WARN' : 'ok  ') : 'FAIL'} ${c.id}: ${c.detail}`),
    r.ok
      ? `all ${r.checks.length} checks passed${warned(r)}`
      : `${failed.length} of ${r.checks.length} checks failed: ${failed.map((c) => c.id).join(', ')}`,
  ].join('\n');
}

function warned(r: VerifyResult): string {
  const w = r.checks.filter((c) => c.warn).map((c) => c.id);
  return w.length ? ` (${w.length} with a warning: ${w.join(', ')})` : '';
}

function renderMaintain(r: MaintainResult): string {
  return [
    `created: ${r.created.join(', ') || '(none)'}`,
    `dropped: ${r.dropped.join(', ') || '(none)'}`,
    ...r.kept.map((k) => `kept ${k.name}: ${k.reason}`),
  ].join('\n');
}
