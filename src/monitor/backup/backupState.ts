import type { CheckItem } from '../checklists/item.js';
import type { BackupStatus } from './backupStatus.js';

// The two backup states of the local topologies where "how old is the last
// backup" is not the story: backups cannot run at all (red, with the reason
// and the fix — never a quiet "not configured"), and the first full backup
// that `serve` is taking right now (not a failure: protection is minutes away).

/** The backup-age alert's verdict in those states; undefined otherwise. */
export function backupAlertOverride(b: BackupStatus): { value?: number; firing: boolean; detail: string } | undefined {
  if (b.unavailable)
    return {
      value: Number.POSITIVE_INFINITY,
      firing: true,
      detail: `backups cannot run: ${b.unavailable.reason} — no point-in-time recovery. Fix: ${b.unavailable.fix}`,
    };
  if (b.firstBackup && b.ageHours === undefined)
    return { firing: false, detail: `first backup running: ${b.firstBackup.step}` };
  return undefined;
}

/** The daily checklist's backup item in those states; undefined otherwise. */
export function backupCheckOverride(b: BackupStatus): Pick<CheckItem, 'status' | 'detail' | 'action'> | undefined {
  if (b.unavailable)
    return {
      status: 'fail',
      detail: `backups cannot run: ${b.unavailable.reason} — the database has no recovery (§2.3, §9.1)`,
      action: b.unavailable.fix,
    };
  if (b.firstBackup && b.ageHours === undefined)
    return {
      status: 'warn',
      detail: `first backup running: ${b.firstBackup.step}`,
      action: 'wait for it (serve logs its progress; /ops shows it); `bill-inquiry backup list` lists it once complete',
    };
  return undefined;
}
