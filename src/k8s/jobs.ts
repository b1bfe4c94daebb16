import { createHash } from 'node:crypto';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import type { IJobSpec } from 'kubernetes-models/batch/v1';
import type { Config } from '../config/schema.js';
import { baseContainer, baseVolumes, podSecurityContext, tolerations } from './container.js';
import { labels, objectNames, WI_POD_LABEL } from './names.js';

/** What each admin job runs (the image's CLI), exactly as it is rendered. */
export const JOB_COMMANDS = {
  migrate: ['db', 'apply'],
  maintain: ['db', 'maintain'],
  checkDaily: ['check', 'daily', '--json'],
  logicalBackup: ['backup', 'logical', '--upload'],
} as const;

/** A job's pod: the admin service account, the service's and the admin secrets, an emptyDir data dir. */
function jobSpec(cfg: Readonly<Config>, component: string, args: readonly string[]): IJobSpec {
  const k = cfg.k8s;
  const n = objectNames(k);
  return {
    backoffLimit: 2,
    ttlSecondsAfterFinished: 7 * 86_400,
    template: {
      metadata: { labels: { ...labels(k, component), [WI_POD_LABEL]: 'true' } },
      spec: {
        serviceAccountName: k.adminServiceAccount,
        restartPolicy: 'Never',
        securityContext: podSecurityContext(),
        tolerations: tolerations(cfg),
        containers: [
          {
            ...baseContainer(cfg, component, [...args], [n.secrets, n.adminSecrets]),
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '1Gi' } },
          },
        ],
        volumes: baseVolumes(cfg, true),
      },
    },
  };
}

/**
 * The migration's Job name carries a hash of the image and the configuration:
 * a Job is immutable, so each release (or configuration change) gets its own,
 * and `kubectl wait --for=condition=complete job/<name>` waits for exactly this
 * release's `db apply` before the pods of the release are rolled out.
 */
export function migrationJobName(cfg: Readonly<Config>): string {
  const { k8s: _k, dataDir: _d, ...rest } = cfg;
  const hash = createHash('sha256').update(cfg.k8s.image).update(JSON.stringify(rest)).digest('hex').slice(0, 8);
  return `${cfg.k8s.name}-db-apply-${hash}`;
}

/**
 * `db apply` (plan §4–§6, §10: schema, roles, settings) as the admin identity,
 * once per release, before the release's pods serve. A Job rather than an init
 * container: an init container would run it in every pod (15 at the HPA's
 * maximum, concurrently) and would need the admin URL in the service's pods.
 */
export function migrationJob(cfg: Readonly<Config>): Job {
  const k = cfg.k8s;
  return new Job({
    metadata: { name: migrationJobName(cfg), namespace: k.namespace, labels: labels(k, 'migrate') },
    spec: { ...jobSpec(cfg, 'migrate', JOB_COMMANDS.migrate), activeDeadlineSeconds: 1800 },
  });
}

/** The §9.1 weekly logical dump's cron line from backup.schedule (day of week, HH:MM). */
export const logicalBackupSchedule = (cfg: Readonly<Config>): string => {
  const [hh, mm] = cfg.backup.schedule.logicalAt.split(':').map(Number);
  return `${mm} ${hh} * * ${cfg.backup.schedule.logicalWeekday}`;
};

/** The admin CronJobs: daily `db maintain` (§6.2), daily `check daily --json` (§14.1), weekly `backup logical --upload` (§9.1). */
export function cronJobs(cfg: Readonly<Config>): CronJob[] {
  const k = cfg.k8s;
  const cron = (component: string, schedule: string, args: readonly string[]) =>
    new CronJob({
      metadata: { name: `${k.name}-${component}`, namespace: k.namespace, labels: labels(k, component) },
      spec: {
        schedule,
        timeZone: cfg.backup.schedule.timezone,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: { metadata: { labels: labels(k, component) }, spec: jobSpec(cfg, component, args) },
      },
    });
  return [
    cron('db-maintain', k.schedules.maintain, JOB_COMMANDS.maintain),
    cron('check-daily', k.schedules.checkDaily, JOB_COMMANDS.checkDaily),
    cron('logical-backup', logicalBackupSchedule(cfg), JOB_COMMANDS.logicalBackup),
  ];
}
