import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import type { ServerParameters } from '../cluster/local/serverParameters.js';
import { backupPaths, pgbackrestBinary } from './paths.js';

/**
 * archive_mode/archive_command for continuous WAL archiving through pgBackRest
 * (async push, plan §9.1; archive_timeout bounds RPO, §2.3). Empty when
 * archiving is off, pgBackRest is not installed or its config was never
 * written (`cluster up` writes it; test clusters started without it do not archive). `--pg1-path` names the
 * calling node's data dir so any HA node that becomes primary archives correctly.
 */
export function archiveParameters(cfg: Readonly<Config>, at: { pgdata: string; node: string }): ServerParameters {
  const bin = pgbackrestBinary();
  const p = backupPaths(cfg);
  if (!cfg.backup.walArchiving || !bin || !existsSync(p.conf)) return {};
  return {
    archive_mode: 'on',
    archive_command: `${bin} --config=${p.conf} --stanza=${cfg.backup.stanza} --pg1-path=${at.pgdata} --spool-path=${p.spool(at.node)} archive-push %p`,
    archive_timeout: cfg.backup.archiveTimeoutS,
  };
}
