import { existsSync, readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** Host usage as §8.1 measures it: CPU and memory of the machine, disk of the data directory's file system. */
export interface HostStats {
  cpuPercent: number;
  memoryPercent: number;
  memoryTotalBytes: number;
  diskPercent: number;
  diskTotalBytes: number;
  diskUsedBytes: number;
  diskPath: string;
}

export async function hostStats(dataPath: string, cpuSampleMs: number): Promise<HostStats> {
  const disk = diskUsage(dataPath);
  const mem = memory();
  return {
    cpuPercent: await cpuBusy(cpuSampleMs),
    memoryPercent: mem.percent,
    memoryTotalBytes: mem.total,
    ...disk,
    diskPath: dataPath,
  };
}

/** Busy share of all cores over a short window (os.cpus() times are cumulative). */
async function cpuBusy(windowMs: number): Promise<number> {
  const before = cpuTimes();
  await sleep(windowMs);
  const after = cpuTimes();
  const total = after.total - before.total;
  return total > 0 ? round(100 * (1 - (after.idle - before.idle) / total)) : 0;
}

function cpuTimes(): { idle: number; total: number } {
  return os.cpus().reduce(
    (acc, c) => ({
      idle: acc.idle + c.times.idle,
      total: acc.total + Object.values(c.times).reduce((a, b) => a + b, 0),
    }),
    { idle: 0, total: 0 },
  );
}

/** MemAvailable (what can be used without swapping), not MemFree: page cache is reclaimable. */
function memory(): { percent: number; total: number } {
  const total = os.totalmem();
  let available = os.freemem();
  if (existsSync('/proc/meminfo')) {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) available = Number(m[1]) * 1024;
  }
  return { percent: round(100 * (1 - available / total)), total };
}

/** Used share as `df` shows it: blocks reserved for root are not available to PostgreSQL. */
function diskUsage(p: string): { diskPercent: number; diskTotalBytes: number; diskUsedBytes: number } {
  const s = statfsSync(p);
  const used = (s.blocks - s.bfree) * s.bsize;
  const usable = used + s.bavail * s.bsize;
  return { diskPercent: round((100 * used) / usable), diskTotalBytes: s.blocks * s.bsize, diskUsedBytes: used };
}

const round = (n: number) => Math.round(n * 10) / 10;
