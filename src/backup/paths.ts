import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';

/** Files of pgBackRest and the logical dumps, under `<dataDir>/backup/`. */
export function backupPaths(cfg: Readonly<Config>) {
  const root = path.join(cfg.dataDir, 'backup');
  return {
    root,
    conf: path.join(root, 'pgbackrest.conf'),
    log: path.join(root, 'log'),
    lock: path.join(root, 'lock'),
    spool: (node: string) => path.join(root, 'spool', node),
    repo: (index: number) => cfg.backup.repos[index - 1]?.path ?? path.join(root, `repo${index}`),
    logical: cfg.backup.logical.dir ?? path.join(root, 'logical'),
  };
}

/** pgbackrest on PATH (the Debian package puts it in /usr/bin). */
export function pgbackrestBinary(): string | undefined {
  return (process.env.PATH ?? '/usr/bin:/bin')
    .split(':')
    .map((d) => path.join(d, 'pgbackrest'))
    .find(existsSync);
}
