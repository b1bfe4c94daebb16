import path from 'node:path';
import type { Config } from '../config/schema.js';
import { archiveSpoolDir, backupRoot, pgbackrestConfFile } from '../cluster/local/walArchive.js';

export { pgbackrestBinary } from '../cluster/local/walArchive.js';

/** Files of pgBackRest and the logical dumps, under `<dataDir>/backup/`. */
export function backupPaths(cfg: Readonly<Config>) {
  const root = backupRoot(cfg.dataDir);
  return {
    root,
    conf: pgbackrestConfFile(cfg.dataDir),
    log: path.join(root, 'log'),
    lock: path.join(root, 'lock'),
    spool: (node: string) => archiveSpoolDir(cfg.dataDir, node),
    repo: (index: number) => cfg.backup.repos[index - 1]?.path ?? path.join(root, `repo${index}`),
    logical: cfg.backup.logical.dir ?? path.join(root, 'logical'),
  };
}
