import { Option, type Command } from 'commander';
import { backupInfo, type BackupInfo } from '../../backup/info.js';
import { logicalBackup } from '../../backup/logical.js';
import { uploadLogicalBackup } from '../../backup/logicalUpload.js';
import { runBackup, verifyBackups, type BackupType } from '../../backup/run.js';
import { installSchedule, scheduleLines } from '../../backup/schedule.js';
import { commandConfig, globals, intOption } from '../context.js';
import { emit, progress } from '../output.js';

export function registerBackupCommands(program: Command): void {
  const backup = program
    .command('backup')
    .description('pgBackRest physical backups (two encrypted repositories), WAL archive, logical dumps');

  backup
    .command('run')
    .description('take a backup into repo1 then repo2 (from the standby when one runs)')
    .addOption(new Option('--type <type>', 'full | diff | incr').choices(['full', 'diff', 'incr']).default('full'))
    .option('--repo <n>', 'only this repository', intOption('--repo'))
    .action(async (opts: { type: BackupType; repo?: number }, cmd: Command) => {
      const cfg = commandConfig(cmd);
      progress(`pgBackRest ${opts.type} backup`);
      const r = await runBackup(cfg, opts.type, opts.repo);
      emit(r, globals(cmd), (x) =>
        x.repos
          .map(
            (b) => `repo${b.repo}: ${b.label}  ${(b.sizeBytes / 2 ** 20).toFixed(1)} MB in ${b.seconds.toFixed(1)} s`,
          )
          .join('\n'),
      );
    });

  backup
    .command('list')
    .description('backups per repository, last successful backup, WAL archive range')
    .action(async (_opts: unknown, cmd: Command) => {
      const cfg = commandConfig(cmd);
      emit(await backupInfo(cfg), globals(cmd), renderInfo);
    });

  backup
    .command('verify')
    .description('pgbackrest verify: checksums of every backup file and the WAL chain, per repository')
    .action(async (_opts: unknown, cmd: Command) => {
      const cfg = commandConfig(cmd);
      const r = await verifyBackups(cfg);
      emit(r, globals(cmd), (x) =>
        x.repos.map((v) => `repo${v.repo}: ${v.ok ? 'ok' : 'FAILED'}\n${v.detail}`).join('\n'),
      );
      if (!r.ok) process.exitCode = 1;
    });

  backup
    .command('logical')
    .description('pg_dump (custom format) as the backup role, encrypted; prunes dumps older than the retention')
    .option(
      '--upload',
      'stream the encrypted dump to the Azure Blob container (azure.logicalBackup) instead of local disk, then read it back to verify',
    )
    .action(async (opts: { upload?: boolean }, cmd: Command) => {
      const cfg = commandConfig(cmd);
      if (opts.upload) {
        const u = await uploadLogicalBackup(cfg);
        emit(
          u,
          globals(cmd),
          (x) =>
            `${x.container}/${x.blob} (${(x.bytes / 2 ** 20).toFixed(1)} MB, ${x.seconds.toFixed(1)} s); read back: same size and sha256 ${x.sha256}`,
        );
        return;
      }
      const r = await logicalBackup(cfg);
      emit(
        r,
        globals(cmd),
        (x) => `${x.file} (${(x.bytes / 2 ** 20).toFixed(1)} MB, ${x.seconds.toFixed(1)} s); pruned ${x.pruned.length}`,
      );
    });

  backup
    .command('schedule')
    .description('§9.1 schedule as crontab lines (daily 02:00 KST physical, weekly logical)')
    .option('--print', 'print the crontab lines (default)')
    .option('--install', 'write them to /etc/cron.d/bill-inquiry-backup')
    .action(async (opts: { print?: boolean; install?: boolean }, cmd: Command) => {
      const cfg = commandConfig(cmd);
      const lines = scheduleLines(cfg, { config: globals(cmd).config });
      const installed = opts.install ? installSchedule(lines) : undefined;
      emit({ ok: true, lines, ...(installed ? { installed } : {}) }, globals(cmd), (x) =>
        [...x.lines, ...(installed ? [`# installed in ${installed}`] : [])].join('\n'),
      );
    });
}

function renderInfo(i: BackupInfo): string {
  return [
    `stanza ${i.stanza}: ${i.status}`,
    ...i.repos.map(
      (r) =>
        `repo${r.repo} (${r.cipher}): ${r.status}; ${r.backups} backups; last ${r.lastSuccessfulBackup ?? 'never'}; WAL ${r.walArchive?.min ?? '-'} … ${r.walArchive?.max ?? '-'}`,
    ),
    ...i.backups.map(
      (b) =>
        `  repo${b.repo} ${b.label} ${b.type.padEnd(4)} ${b.stop}  ${(b.sizeBytes / 2 ** 20).toFixed(1)} MB${b.ok ? '' : '  ERROR'}`,
    ),
  ].join('\n');
}
