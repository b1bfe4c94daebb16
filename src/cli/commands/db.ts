import { Option, type Command } from 'commander';
import { backupsConfigured, FIRST_BACKUP_COMMAND, reposWithoutBackup } from '../../backup/firstBackup.js';
import type { Config } from '../../config/schema.js';
import { connectionUrl, type ConnTarget } from '../../db/connection.js';
import { applyDatabase, type ApplyResult } from '../../platform/apply.js';
import { renderDbBench, runDbBench } from '../../platform/bench/dbBench.js';
import { maintainPartitions, type MaintainResult } from '../../platform/partitions.js';
import { roleSecretName, type LoginRole } from '../../platform/roleTargets.js';
import { loginTarget, verifyDatabase, type VerifyResult } from '../../platform/verify/index.js';
import type { MemberToVerify } from '../../platform/verify/members.js';
import { BillInquiryError } from '../../errors.js';
import { SecretStore } from '../../system/secrets.js';
import { adminTarget, ADMIN_URL_ENV, openTopology, parseAdminUrl, type Topology } from '../../topology/index.js';
import { commandConfig, globals, intOption } from '../context.js';
import { emit, progress } from '../output.js';

interface TargetOptions {
  adminUrl?: string;
}

/** The command's topology and admin connection: --admin-url / BILL_INQUIRY_ADMIN_URL, else the topology's primary. */
async function admin(cmd: Command, opts: TargetOptions) {
  const cfg = commandConfig(cmd);
  const topology = openTopology(cfg);
  return { cfg, topology, ...(await adminTarget(topology, opts.adminUrl)) };
}

/**
 * Who `db verify` checks one by one: every member of the topology, as the
 * topology's superuser — or, with an admin URL, as its user on each host it
 * lists (or each member the external topology knows).
 */
async function verifyMembers(topology: Topology, url: string | undefined): Promise<MemberToVerify[]> {
  const raw = url || process.env[ADMIN_URL_ENV];
  if (!raw) return (await topology.members()).map((m) => ({ name: m.name, target: topology.memberAdmin(m) }));
  const { template, hosts } = parseAdminUrl(raw);
  const endpoints =
    hosts.length > 1
      ? hosts.map((h) => ({ name: `${h.host}:${h.port}`, endpoint: h }))
      : topology.kind === 'external'
        ? await topology.members()
        : [];
  return endpoints.map((m) => ({ name: m.name, target: { ...template, ...m.endpoint } }));
}

/**
 * `db apply` exits, so it takes no backup itself (serve does, in the
 * background): on a local cluster whose repositories hold none it prints the
 * one command that takes the first full backup. A hint: it never fails apply.
 */
async function firstBackupHint(cfg: Readonly<Config>, topology: Topology): Promise<void> {
  if (!topology.local || !backupsConfigured(cfg)) return;
  const missing = await reposWithoutBackup(cfg).catch(() => []);
  if (missing.length)
    progress(
      `no backup yet (${missing.map((n) => `repo${n}`).join(', ')}): no point-in-time recovery until one exists — take the first full backup now: ${FIRST_BACKUP_COMMAND} (serve takes it by itself)`,
    );
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
      const { cfg, target } = await admin(cmd, opts);
      emit(await applyDatabase(cfg, target, { dryRun: true }), globals(cmd), (r) => renderApply(r, 'would'));
    });

  db.command('apply')
    .description('make the database match the plan (idempotent: a second run changes nothing)')
    .addOption(adminUrlOption())
    .action(async (opts: TargetOptions, cmd: Command) => {
      const { cfg, topology, target, where } = await admin(cmd, opts);
      progress(`applying ${cfg.database.name} on ${where}`);
      const result = await applyDatabase(cfg, target, { onProgress: globals(cmd).json ? undefined : progress });
      emit(result, globals(cmd), (r) => renderApply(r, 'made'));
      if (!(opts.adminUrl || process.env[ADMIN_URL_ENV])) await firstBackupHint(cfg, topology);
    });

  db.command('verify')
    .description('prove every checkable statement of the plan; exit 0 only when all pass')
    .addOption(adminUrlOption())
    .action(async (opts: TargetOptions, cmd: Command) => {
      const { cfg, topology, target } = await admin(cmd, opts);
      const result = await verifyDatabase(cfg, target, {
        memory: topology.memory(),
        members: await verifyMembers(topology, opts.adminUrl),
      });
      emit(result, globals(cmd), renderVerify);
      if (!result.ok) process.exitCode = 1;
    });

  db.command('maintain')
    .description('create monthly partitions ahead and drop those past retention (KOS 365 days, then bill 730 days)')
    .addOption(adminUrlOption())
    .option('--now <iso-date>', 'pretend it is this moment (testing retention)', parseDate)
    .action(async (opts: TargetOptions & { now?: Date }, cmd: Command) => {
      const { cfg, target } = await admin(cmd, opts);
      emit({ ok: true, ...(await maintainPartitions(cfg, target, opts.now)) }, globals(cmd), renderMaintain);
    });

  db.command('bench')
    .description(
      '§13.2: pgbench -i -s SCALE, then pgbench -c CLIENTS -j JOBS -T DURATION, as the app role in a scratch database dropped afterwards',
    )
    .addOption(adminUrlOption())
    .option('--scale <n>', 'pgbench scale factor (default database.bench.scale, 10)', intOption('--scale'))
    .option('--clients <n>', 'concurrent clients (default database.bench.clients, 50)', intOption('--clients'))
    .option('--jobs <n>', 'pgbench threads (default database.bench.jobs, 2)', intOption('--jobs'))
    .option('--duration <s>', 'seconds (default database.bench.durationSeconds, 300)', intOption('--duration'))
    .action(
      async (
        opts: TargetOptions & { scale?: number; clients?: number; jobs?: number; duration?: number },
        cmd: Command,
      ) => {
        const { cfg, target } = await admin(cmd, opts);
        const { duration, ...rest } = opts;
        const result = await runDbBench(cfg, target, { ...rest, durationSeconds: duration, onProgress: progress });
        emit(result, globals(cmd), renderDbBench);
      },
    );

  db.command('credentials')
    .description('how the application roles connect; passwords only with --show-password')
    .addOption(adminUrlOption())
    .addOption(new Option('--role <role>', 'login role').choices(['app', 'readonly', 'backup']).default('app'))
    .option('--show-password', 'include the password and a URL with it')
    .action(async (opts: TargetOptions & { role: LoginRole; showPassword?: boolean }, cmd: Command) => {
      const { cfg, topology, target: adminConn } = await admin(cmd, opts);
      const target = loginTarget(cfg, adminConn, opts.role);
      const secret = roleSecretName(cfg, opts.role);
      const fromEnv = Boolean(process.env[SecretStore.envName(secret)]);
      const result = {
        ok: true,
        role: opts.role,
        user: target.user,
        host: target.host,
        port: target.port,
        database: target.database,
        sslmode: target.caFile || target.verifyFull ? 'verify-full' : 'require',
        ...(target.caFile ? { sslrootcert: target.caFile } : {}),
        passwordSource: fromEnv ? `env ${SecretStore.envName(secret)}` : new SecretStore(cfg.dataDir).file(secret),
        url: connectionUrl(target, Boolean(opts.showPassword)),
        ...(await replicaUrl(topology, opts, target, Boolean(opts.showPassword))),
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

/** The read replica when the topology has one: where §7.2 sends reads and analytics. */
async function replicaUrl(
  topology: Topology,
  opts: TargetOptions,
  target: ConnTarget,
  withPassword: boolean,
): Promise<{ replicaUrl?: string }> {
  if (opts.adminUrl || process.env[ADMIN_URL_ENV]) return {};
  const replica = await topology.locator.replica().catch(() => undefined);
  return replica ? { replicaUrl: connectionUrl({ ...target, ...replica }, withPassword) } : {};
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
    ...(r.members ?? []).map((m) => `member ${m.name} (${m.endpoint}): ${m.role}`),
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
