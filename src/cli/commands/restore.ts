import type { Command } from 'commander';
import { restoreLogical } from '../../backup/logical.js';
import { restoreLogicalFromBlob } from '../../backup/logicalBlobRestore.js';
import { restoreTo, type RestoreResult } from '../../backup/restore.js';
import { switchToRestored } from '../../backup/switchToRestored.js';
import { BillInquiryError } from '../../errors.js';
import { ADMIN_URL_ENV } from '../../topology/index.js';
import { commandConfig, globals, intOption } from '../context.js';
import { emit, progress } from '../output.js';

export function registerRestoreCommands(program: Command): void {
  const restore = program
    .command('restore')
    .description('point-in-time restore onto a separate cluster, then an integrity check')
    .option('--to <target>', 'timestamp (ISO 8601 with zone), LSN (e.g. 0/3000060) or "latest"')
    // Shared with `restore logical`, where it names the new database (commander gives it to the parent).
    .option('--into <dir|database>', 'new, empty directory for the restored cluster (logical: new database name)')
    .option('-p, --port <port>', 'port of the restored cluster (default: a free one)', intOption('--port'))
    .option('--repo <n>', 'restore from this repository only', intOption('--repo'))
    .option(
      '--switch',
      'when the integrity check passes, make the restored cluster the local primary (HA: the Patroni leader, the other members cloned from it); old data kept beside',
    )
    .action(
      async (opts: { to?: string; into?: string; port?: number; repo?: number; switch?: boolean }, cmd: Command) => {
        if (!opts.to || !opts.into)
          throw new BillInquiryError(
            'USAGE',
            'restore needs --to <timestamp|lsn|latest> and --into <dir>',
            'e.g. bill-inquiry restore --to latest --into /srv/restored',
          );
        const cfg = commandConfig(cmd);
        progress(`restoring to ${opts.to} into ${opts.into}`);
        const r = await restoreTo(cfg, { ...opts, to: opts.to, into: opts.into });
        const { cluster, ...restored } = r;
        if (opts.switch && !r.ok) await cluster.stop();
        const switched = opts.switch && r.ok ? await switchToRestored(cfg, cluster, progress) : undefined;
        if (switched)
          progress(
            `the restored cluster is now the primary on port ${switched.primary.port}; previous data kept in ${switched.previousPrimary}`,
          );
        emit({ ...restored, ...(switched ? { switched } : {}) }, globals(cmd), renderRestore);
        if (!r.ok) process.exitCode = 1;
      },
    );

  restore
    .command('logical')
    .description('restore an encrypted logical dump into a new database')
    .option('--file <file>', 'dump written by `backup logical`')
    .option('--blob <name>', 'dump uploaded by `backup logical --upload`, streamed from the Blob container')
    .option(
      '--admin-url <url>',
      `admin connection that may CREATE DATABASE, for an external server (env ${ADMIN_URL_ENV}); default: the local cluster`,
    )
    .action(async (opts: { file?: string; blob?: string; adminUrl?: string }, cmd: Command) => {
      const { into, port } = cmd.optsWithGlobals<{ into?: string; port?: number }>();
      if (!into || !!opts.file === !!opts.blob)
        throw new BillInquiryError(
          'USAGE',
          'restore logical needs one of --file <dump> or --blob <name>, and --into <new database name>',
          'e.g. bill-inquiry restore logical --file F --into bill_restored',
        );
      const cfg = commandConfig(cmd);
      const where = { into, ...(port ? { port } : {}), ...(opts.adminUrl ? { adminUrl: opts.adminUrl } : {}) };
      const r = opts.blob
        ? await restoreLogicalFromBlob(cfg, { blob: opts.blob, ...where })
        : await restoreLogical(cfg, { file: opts.file!, ...where });
      emit(r, globals(cmd), (x) => `restored ${x.file} into ${x.database} in ${x.seconds.toFixed(1)} s`);
    });
}

function renderRestore(r: Omit<RestoreResult, 'cluster'>): string {
  return [
    `restored backup ${r.backup} from repo${r.repo} into ${r.into} (port ${r.port})`,
    `restore ${r.restoreSeconds.toFixed(1)} s, recovery + promote ${r.recoverySeconds.toFixed(1)} s`,
    ...(r.integrity?.tables ?? []).map((t) => `  ${t.database}.${t.table}: ${t.rows} rows md5 ${t.md5}`),
    `pg_amcheck: ${r.integrity?.amcheck.ok ? 'ok' : 'FAILED'} ${r.integrity?.amcheck.detail ?? ''}`,
    `the restored cluster keeps running on port ${r.port}; point the service at it to switch (see docs/ha-backup.md)`,
  ].join('\n');
}
