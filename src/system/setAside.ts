import { existsSync, renameSync } from 'node:fs';

/** Renames a data dir to `<dir>.before-restore-<stamp>` (kept, never deleted); undefined when it does not exist. */
export function setAside(dir: string, stamp: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const aside = `${dir}.before-restore-${stamp}`;
  renameSync(dir, aside);
  return aside;
}

/** A sortable UTC stamp for names: 20261124T213000. */
export const fileStamp = (at = new Date()): string => at.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
