import { chmodSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../config/schema.js';
import { findPgBinaries } from '../cluster/local/pgBinaries.js';
import { libpqEnv } from '../db/connection.js';
import { BillInquiryError } from '../errors.js';
import { primaryAs } from '../platform/roleTargets.js';
import { ensureDir, serverUser } from '../system/osUser.js';
import { run } from '../system/run.js';
import { SecretStore } from '../system/secrets.js';
import { backupPaths } from './paths.js';
import { pipeline, type PipeStage } from './pipe.js';
import { adminTarget, ADMIN_URL_ENV, openTopology } from '../topology/index.js';

export const LOGICAL_SECRET = 'logical-backup-passphrase';
const PASS_ENV = 'BILL_INQUIRY_LOGICAL_PASSPHRASE';
/** openssl enc: AES-256-CBC with a PBKDF2-derived key (salted), §10.2. */
const OPENSSL_ENC = ['enc', '-aes-256-cbc', '-pbkdf2', '-iter', '200000', '-salt', '-pass', `env:${PASS_ENV}`];
export const DUMP_SUFFIX = '.dump.enc';
const DAY_MS = 86_400_000;

export interface LogicalBackupResult {
  ok: true;
  file: string;
  bytes: number;
  seconds: number;
  pruned: string[];
}

/**
 * Weekly logical backup (§9.1): pg_dump -Fc of the Bill-Inquiry database as
 * bill_backup_user (read-only backup role), encrypted on the way to disk,
 * then dumps older than backup.logical.retentionDays (3 months) are removed.
 */
export async function logicalBackup(cfg: Readonly<Config>, now = new Date()): Promise<LogicalBackupResult> {
  const dir = backupPaths(cfg).logical;
  ensureDir(dir, 0o700);
  const file = path.join(dir, dumpName(cfg, now));
  const started = Date.now();
  try {
    const [dump, encrypt] = await dumpStages(cfg);
    await pipeline(dump, { ...encrypt, args: [...encrypt.args, '-out', file] });
  } catch (e) {
    rmSync(file, { force: true });
    throw e;
  }
  chmodSync(file, 0o600);
  return {
    ok: true,
    file,
    bytes: statSync(file).size,
    seconds: (Date.now() - started) / 1000,
    pruned: prune(dir, cfg.backup.logical.retentionDays, now),
  };
}

/** `<database>-<ISO time>.dump.enc`: dumps sort by date, on disk and in the Blob container alike. */
export const dumpName = (cfg: Readonly<Config>, now: Date): string =>
  `${cfg.database.name}-${now.toISOString().replace(/[:.]/g, '-')}${DUMP_SUFFIX}`;

/**
 * pg_dump -Fc of the Bill-Inquiry database as bill_backup_user (read-only
 * backup role), and openssl encrypting its output to stdout (§10.2): the two
 * stages of every logical backup, whatever takes the encrypted bytes.
 */
export async function dumpStages(cfg: Readonly<Config>): Promise<[PipeStage, PipeStage]> {
  // The backup role on the current primary, whatever runs it: an external server (Azure, the weekly
  // CronJob) has no admin connection here, and the dump needs none.
  const target = { ...(await primaryAs(openTopology(cfg), 'backup')), applicationName: 'bill-inquiry-logical-backup' };
  return [
    { cmd: pgBin(cfg, 'pg_dump'), args: ['--format=custom', '--no-password'], env: libpqEnv(target) },
    { cmd: 'openssl', args: [...OPENSSL_ENC], env: { [PASS_ENV]: passphrase(cfg) } },
  ];
}

/** Decrypts a dump and pg_restores it into a new database on the primary (or `port`). */
export async function restoreLogical(
  cfg: Readonly<Config>,
  opts: { file: string; into: string; port?: number; adminUrl?: string },
): Promise<{ ok: true; file: string; database: string; seconds: number }> {
  if (!existsSync(opts.file))
    throw new BillInquiryError('DUMP_MISSING', `no dump file ${opts.file}`, 'list them under <dataDir>/backup/logical');
  return restoreDump(cfg, { ...opts, source: { file: opts.file } });
}

/**
 * openssl -d | pg_restore into a new database, from a file or from a stream
 * (`file` then names it in messages: a dump downloaded from Blob storage).
 */
export async function restoreDump(
  cfg: Readonly<Config>,
  opts: {
    file: string;
    source: { file: string } | { stream: Readable };
    into: string;
    port?: number;
    adminUrl?: string;
  },
): Promise<{ ok: true; file: string; database: string; seconds: number }> {
  if (!/^[a-z_][a-z0-9_]*$/.test(opts.into))
    throw new BillInquiryError(
      'BAD_DATABASE',
      `--into ${opts.into} is not a plain database name`,
      'use lower-case letters, digits and _',
    );
  // An external server has no admin connection here: --admin-url / BILL_INQUIRY_ADMIN_URL names one (CREATEDB suffices).
  const admin =
    !opts.port && (opts.adminUrl || process.env[ADMIN_URL_ENV])
      ? (await adminTarget(openTopology(cfg), opts.adminUrl)).target
      : await openTopology(cfg).admin('postgres', opts.port ? { host: cfg.cluster.host, port: opts.port } : undefined);
  const started = Date.now();
  const psqlEnv = libpqEnv(admin);
  // createdb quotes the name itself and fails clearly when the database exists.
  await run(pgBin(cfg, 'createdb'), ['--no-password', opts.into], { env: psqlEnv }).catch((e: unknown) => {
    throw new BillInquiryError(
      'DATABASE_EXISTS',
      `cannot create database ${opts.into}: ${e instanceof Error ? e.message : String(e)}`,
      'restore into a new database name',
      { cause: e },
    );
  });
  const fromFile = 'file' in opts.source ? ['-in', opts.source.file] : [];
  await pipeline(
    { cmd: 'openssl', args: [...OPENSSL_ENC, '-d', ...fromFile], env: { [PASS_ENV]: passphrase(cfg) } },
    {
      cmd: pgBin(cfg, 'pg_restore'),
      args: ['--exit-on-error', '--no-password', `--dbname=${opts.into}`],
      env: libpqEnv({ ...admin, database: opts.into }),
    },
    'stream' in opts.source ? opts.source.stream : undefined,
  ).catch((e: unknown) => {
    const bad = e instanceof Error && /bad decrypt/i.test(e.message);
    throw bad
      ? new BillInquiryError(
          'BACKUP_PASSPHRASE',
          `cannot decrypt ${opts.file} with the configured passphrase`,
          `restore the right ${LOGICAL_SECRET} secret`,
          { cause: e },
        )
      : e;
  });
  return { ok: true, file: opts.file, database: opts.into, seconds: (Date.now() - started) / 1000 };
}

function prune(dir: string, retentionDays: number, now: Date): string[] {
  const cutoff = now.getTime() - retentionDays * DAY_MS;
  const old = readdirSync(dir)
    .filter((f) => f.endsWith(DUMP_SUFFIX))
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).mtimeMs < cutoff);
  old.forEach((f) => rmSync(f));
  return old;
}

const passphrase = (cfg: Readonly<Config>) => new SecretStore(cfg.dataDir).get(LOGICAL_SECRET);
const pgBin = (cfg: Readonly<Config>, name: string) =>
  findPgBinaries(cfg.cluster, serverUser(cfg.cluster.osUser)).bin(name);
