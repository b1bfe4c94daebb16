import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { segmentFiles } from './claim.js';

/**
 * Journal files under `root` as monitoring sees them from outside the service:
 * all bytes, and the largest one process holds (its own directory and the ones
 * it claimed) — the figure its budget applies to.
 */
export function journalUsage(root: string): { bytes: number; largestProcessBytes: number } {
  if (!existsSync(root)) return { bytes: 0, largestProcessBytes: 0 };
  const perOwner = new Map<string, number>();
  for (const name of readdirSync(root)) {
    const dir = path.join(root, name);
    let n = 0;
    try {
      for (const f of segmentFiles(dir)) n += statSync(path.join(dir, f)).size;
    } catch {
      continue; // claimed or removed meanwhile
    }
    const owner = name.split('.')[0]!;
    perOwner.set(owner, (perOwner.get(owner) ?? 0) + n);
  }
  const sizes = [...perOwner.values()];
  return { bytes: sizes.reduce((a, b) => a + b, 0), largestProcessBytes: Math.max(0, ...sizes) };
}
