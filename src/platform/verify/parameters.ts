import type { MemoryProfile } from '../../cluster/local/memoryProfile.js';
import type { Config } from '../../config/schema.js';
import type { Queryable } from '../context.js';
import { check, expect, type Check, type VerifyContext } from './check.js';

interface Setting {
  name: string;
  setting: string;
  unit: string | null;
}

const UNIT_KB: Record<string, number> = { kB: 1, '8kB': 8, MB: 1024, '16MB': 16 * 1024, GB: 1024 * 1024 };
const toKb = (value: number, unit: string): number => value * (UNIT_KB[unit] ?? Number.NaN);
/** '4GB' / '64MB' / 1024 (MB) → kB. */
const sizeKb = (v: string | number): number =>
  typeof v === 'number'
    ? v * 1024
    : ((m) => (m ? toKb(Number(m[1]), m[2]!) : Number.NaN))(/^(\d+)\s*(kB|MB|GB)$/.exec(v));
const onOff = (b: boolean) => (b ? 'on' : 'off');

/** Every server parameter of §5.1 and §10.3 as configured, on the server verify connects to. */
export const parameterChecks = (vc: VerifyContext): Promise<Check[]> => serverParameterChecks(vc.cfg, vc.memory, vc.db);

/**
 * Every server parameter of §5.1 and §10.3 on the server behind `db` (memory:
 * the plan's profile as the topology gives it to each member — scaled to
 * server.memoryMb / this machine, shared among the HA nodes).
 */
export async function serverParameterChecks(
  cfg: Readonly<Config>,
  mem: MemoryProfile,
  db: Queryable,
): Promise<Check[]> {
  const s = cfg.server;
  const settings = new Map(
    (await db.query<Setting>('SELECT name, setting, unit FROM pg_settings')).rows.map((r) => [r.name, r]),
  );
  const value = (name: string) => settings.get(name)?.setting;
  const exact = (name: string, want: string | number) =>
    check(`parameter.${name}`, async () => expect(value(name) === String(want), `${value(name)} (plan: ${want})`));
  const size = (name: string, wantKb: number, label: string) =>
    check(`parameter.${name}`, async () => {
      const r = settings.get(name);
      const kb = r ? toKb(Number(r.setting), r.unit ?? '') : Number.NaN;
      return expect(kb === wantKb, `${kb / 1024}MB (plan: ${label})`);
    });
  return Promise.all([
    exact('max_connections', s.maxConnections),
    check('parameter.shared_preload_libraries', async () => {
      const libs = (value('shared_preload_libraries') ?? '').split(',').map((x) => x.trim());
      return expect(
        s.sharedPreloadLibraries.every((l) => libs.includes(l)),
        `${libs.join(',')} (plan: ${s.sharedPreloadLibraries.join(',')})`,
      );
    }),
    size(
      'shared_buffers',
      mem.sharedBuffersMb * 1024,
      `${s.planProfile.sharedBuffersMb}MB at ${s.planMemoryMb}MB RAM → ${mem.sharedBuffersMb}MB at ${mem.memoryMb}MB`,
    ),
    size(
      'effective_cache_size',
      mem.effectiveCacheSizeMb * 1024,
      `${s.planProfile.effectiveCacheSizeMb}MB at ${s.planMemoryMb}MB RAM → ${mem.effectiveCacheSizeMb}MB at ${mem.memoryMb}MB`,
    ),
    size(
      'work_mem',
      mem.workMemMb * 1024,
      `${s.planProfile.workMemMb}MB at ${s.planMemoryMb}MB RAM → ${mem.workMemMb}MB at ${mem.memoryMb}MB`,
    ),
    size(
      'maintenance_work_mem',
      mem.maintenanceWorkMemMb * 1024,
      `${s.planProfile.maintenanceWorkMemMb}MB at ${s.planMemoryMb}MB RAM → ${mem.maintenanceWorkMemMb}MB at ${mem.memoryMb}MB`,
    ),
    exact('checkpoint_completion_target', s.checkpointCompletionTarget),
    size('max_wal_size', sizeKb(s.maxWalSize), s.maxWalSize),
    size('min_wal_size', sizeKb(s.minWalSize), s.minWalSize),
    exact('log_min_duration_statement', s.logMinDurationStatementMs),
    exact('log_checkpoints', onOff(s.logCheckpoints)),
    exact('log_connections', onOff(s.logConnections)),
    exact('log_disconnections', onOff(s.logDisconnections)),
    exact('track_activities', onOff(s.trackActivities)),
    exact('track_counts', onOff(s.trackCounts)),
    exact('track_io_timing', onOff(s.trackIoTiming)),
    exact('log_statement', s.logStatement),
    exact('log_line_prefix', s.logLinePrefix),
    exact('log_lock_waits', onOff(s.logLockWaits)),
    exact('log_temp_files', s.logTempFilesKb),
    exact('log_parameter_max_length', 0),
    exact('data_checksums', 'on'),
  ]);
}
