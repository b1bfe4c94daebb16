import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/schema.js';
import type { ServerParameters } from './serverParameters.js';

/**
 * Where pgBackRest's files live under the data dir. The server's
 * archive_command names the config file and a spool directory, so the server
 * configuration (here) owns these two paths; backup/paths.ts builds the rest
 * of the backup layout on them.
 */
export const backupRoot = (dataDir: string): string => path.join(dataDir, 'backup');
export const pgbackrestConfFile = (dataDir: string): string => path.join(backupRoot(dataDir), 'pgbackrest.conf');
export const archiveSpoolDir = (dataDir: string, node: string): string => path.join(backupRoot(dataDir), 'spool', node);

/** pgbackrest on PATH (the Debian package puts it in /usr/bin). */
export function pgbackrestBinary(): string | undefined {
  return (process.env.PATH ?? '/usr/bin:/bin')
    .split(':')
    .map((d) => path.join(d, 'pgbackrest'))
    .find(existsSync);
}

/**
 * archive_mode/archive_command for continuous WAL archiving through pgBackRest
 * (async push, plan §9.1; archive_timeout bounds RPO, §2.3). Empty when
 * archiving is off, pgBackRest is not installed or its config was never
 * written (the backup layer writes it before the servers start; test clusters
 * started without it do not archive). `--pg1-path` names the calling node's
 * data dir so any HA node that becomes primary archives correctly.
 */
export function archiveParameters(cfg: Readonly<Config>, at: { pgdata: string; node: string }): ServerParameters {
  const bin = pgbackrestBinary();
  const conf = pgbackrestConfFile(cfg.dataDir);
  if (!cfg.backup.walArchiving || !bin || !existsSync(conf)) return {};
  return {
    archive_mode: 'on',
    archive_command: `${bin} --config=${conf} --stanza=${cfg.backup.stanza} --pg1-path=${at.pgdata} --spool-path=${archiveSpoolDir(cfg.dataDir, at.node)} archive-push %p`,
    archive_timeout: cfg.backup.archiveTimeoutS,
  };
}
