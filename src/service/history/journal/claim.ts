import { existsSync, readdirSync, renameSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ownerAlive, ownerId, parseOwner, type Owner } from './owner.js';

export const SEGMENT_SUFFIX = '.seg';

/** A journal file left by a dead process, now this process's to replay. */
export interface Orphan {
  path: string;
  bytes: number;
  /** The directory it was left in, as named before the claim (whose process it was). */
  from: string;
}

/**
 * Claims the journal directories under `root` whose owner is gone, by renaming
 * each to `<me>.c<n>`: a rename is atomic, so when several processes (workers)
 * start together exactly one wins each directory and the others get ENOENT.
 * A claimer that dies in turn leaves `<me>.c<n>` behind, which the next one
 * claims the same way. Returns the claimed segment files, oldest first per
 * directory (order between requests does not matter: replays are idempotent).
 */
export function claimOrphans(
  root: string,
  me: Owner,
  meId: string,
  staleAfterMs: number,
  next: () => number,
): Orphan[] {
  if (!existsSync(root)) return [];
  const found: Orphan[] = [];
  for (const name of readdirSync(root).sort()) {
    if (name === meId || name.startsWith(`${meId}.`)) continue;
    const owner = parseOwner(name);
    const dir = path.join(root, name);
    // The heartbeat is on the owner's own directory, also for the ones it claimed.
    if (!owner || ownerAlive(owner, path.join(root, ownerId(owner)), staleAfterMs, me)) continue;
    const claimed = path.join(root, `${meId}.c${next()}`);
    try {
      renameSync(dir, claimed);
    } catch (e) {
      // Another process claimed it first.
      if (['ENOENT', 'EEXIST', 'ENOTEMPTY'].includes((e as NodeJS.ErrnoException).code ?? '')) continue;
      throw e;
    }
    const files = segmentFiles(claimed);
    if (files.length === 0) removeDir(claimed);
    for (const f of files)
      found.push({ path: path.join(claimed, f), bytes: statSync(path.join(claimed, f)).size, from: name });
  }
  return found;
}

/** Segment files of a journal directory in write order (names are zero-padded sequence numbers). */
export const segmentFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith(SEGMENT_SUFFIX))
    .sort();

/** Removes a journal directory once it holds no segments; anything else in it stays (and keeps it). */
export function removeDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty or already gone: nothing to do.
  }
}
