import os from 'node:os';
import type { ServerConfig } from '../../config/sections/server.js';

export interface MemoryProfile {
  memoryMb: number;
  sharedBuffersMb: number;
  effectiveCacheSizeMb: number;
  workMemMb: number;
  maintenanceWorkMemMb: number;
}

/** Floors below which PostgreSQL would be starved on a small machine. */
const FLOOR = { sharedBuffersMb: 128, effectiveCacheSizeMb: 256, workMemMb: 4, maintenanceWorkMemMb: 64 };

/** The plan's 16 GB profile (§5.1) as it stands. */
export const planProfile = (s: ServerConfig): MemoryProfile => ({ memoryMb: s.planMemoryMb, ...s.planProfile });

/** The plan's ratios applied to this machine's RAM (or server.memoryMb). */
export function scaledProfile(s: ServerConfig): MemoryProfile {
  const memoryMb = s.memoryMb ?? Math.floor(os.totalmem() / 2 ** 20);
  const ratio = memoryMb / s.planMemoryMb;
  const scale = (key: keyof typeof FLOOR) => Math.max(FLOOR[key], Math.floor(s.planProfile[key] * ratio));
  return {
    memoryMb,
    sharedBuffersMb: scale('sharedBuffersMb'),
    effectiveCacheSizeMb: scale('effectiveCacheSizeMb'),
    workMemMb: scale('workMemMb'),
    maintenanceWorkMemMb: scale('maintenanceWorkMemMb'),
  };
}
