import type { Config } from '../../config/schema.js';
import type { MonitorSnapshot } from '../snapshot.js';
import type { CheckItem } from './item.js';

/** §9.1 주간 논리 백업: the newest dump in the Blob container is at most monitor.checks.logicalDumpMaxAgeDays old. */
export function logicalDumpItem(cfg: Readonly<Config>, s: MonitorSnapshot): CheckItem {
  const base = { id: 'logical-dump', plan: '주간 논리 백업 (§9.1)', title: 'weekly logical dump in Blob storage' };
  const d = s.logicalDumps;
  const maxDays = cfg.monitor.checks.logicalDumpMaxAgeDays;
  const run = '`bill-inquiry backup logical --upload` (the weekly CronJob, or `backup schedule`)';
  if (!d)
    return {
      ...base,
      status: 'warn',
      detail:
        'no Blob container configured for the weekly dumps (azure.logicalBackup.accountUrl or azure.subscriptionId)',
      action: `configure the container (azure.logicalBackup.*) and run ${run}; local dumps alone are lost with the machine`,
    };
  if (d.error)
    return {
      ...base,
      status: 'fail',
      detail: `cannot list ${d.container || 'the dump container'}: ${d.error}`,
      action: "check the account URL, the network path and the identity's Storage Blob Data Contributor role",
    };
  if (!d.newest) return { ...base, status: 'fail', detail: `no dump in ${d.container}`, action: `run ${run} now` };
  const days = d.newest.ageHours / 24;
  return {
    ...base,
    status: days > maxDays ? 'fail' : 'pass',
    detail: `newest ${d.newest.name} (${(d.newest.bytes / 2 ** 20).toFixed(1)} MB, ${days.toFixed(1)} days old, limit ${maxDays}) of ${d.count} in ${d.container}`,
    action: `the weekly dump did not run: check the CronJob's last run, then ${run}`,
  };
}
