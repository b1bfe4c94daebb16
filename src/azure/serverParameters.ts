import type { Config } from '../config/schema.js';
import { scaledProfile } from '../cluster/local/memoryProfile.js';

/**
 * The plan's §5.1/§10.3/§3.2 parameters in Azure's names and units, the memory
 * figures scaled to a SKU's RAM (default the primary's, `azure.skuMemoryGb`).
 * On Azure they are set through the resource provider (the template's
 * `configurations`), never ALTER SYSTEM, which Flexible Server does not allow.
 */
export function azureServerParameters(
  cfg: Readonly<Config>,
  memoryGb = cfg.azure.skuMemoryGb,
): Array<[string, string]> {
  const s = cfg.server;
  const mem = scaledProfile({ ...s, memoryMb: memoryGb * 1024 });
  const pages8k = (mb: number) => String(mb * 128);
  const kb = (mb: number) => String(mb * 1024);
  const onOff = (b: boolean) => (b ? 'on' : 'off');
  const preload = [...new Set([...s.sharedPreloadLibraries, ...(s.pgaudit.enabled ? ['pgaudit'] : [])])];
  return [
    ['max_connections', String(s.maxConnections)],
    ['shared_preload_libraries', preload.join(',')],
    [
      'azure.extensions',
      [...cfg.database.extensions, ...(s.pgaudit.enabled ? ['pgaudit'] : [])].map((e) => e.toUpperCase()).join(','),
    ],
    ['shared_buffers', pages8k(mem.sharedBuffersMb)],
    ['effective_cache_size', pages8k(mem.effectiveCacheSizeMb)],
    ['work_mem', kb(mem.workMemMb)],
    ['maintenance_work_mem', kb(mem.maintenanceWorkMemMb)],
    ['checkpoint_completion_target', String(s.checkpointCompletionTarget)],
    ['max_wal_size', String(sizeMb(s.maxWalSize))],
    ['min_wal_size', String(sizeMb(s.minWalSize))],
    ['log_min_duration_statement', String(s.logMinDurationStatementMs)],
    ['log_checkpoints', onOff(s.logCheckpoints)],
    ['log_connections', onOff(s.logConnections)],
    ['log_disconnections', onOff(s.logDisconnections)],
    ['track_activities', onOff(s.trackActivities)],
    ['track_counts', onOff(s.trackCounts)],
    ['track_io_timing', onOff(s.trackIoTiming)],
    ['log_statement', s.logStatement],
    ['log_line_prefix', s.logLinePrefix],
    ['log_lock_waits', onOff(s.logLockWaits)],
    ['log_temp_files', String(s.logTempFilesKb)],
    ['log_parameter_max_length', '0'],
    ...(s.pgaudit.enabled ? ([['pgaudit.log', s.pgaudit.log.toUpperCase()]] as Array<[string, string]>) : []),
    ['require_secure_transport', 'on'],
    ['ssl_min_protocol_version', s.sslMinProtocolVersion],
    ['password_encryption', 'scram-sha-256'],
    ['timezone', s.timezone],
  ];
}

/** '4GB' → 4096, '512MB' → 512. */
export function sizeMb(size: string): number {
  const m = /^(\d+)\s*(MB|GB|TB)$/i.exec(size.trim());
  if (!m) throw new Error(`size "${size}" must look like 512MB, 4GB or 1TB`);
  return Number(m[1]) * { MB: 1, GB: 1024, TB: 1024 * 1024 }[m[2]!.toUpperCase() as 'MB' | 'GB' | 'TB'];
}
