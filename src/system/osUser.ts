import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { BillInquiryError } from '../errors.js';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * The OS user that server processes (postgres, patroni, pgbackrest) run as.
 * PostgreSQL refuses to run as root, so as root we use `name`, creating it if
 * missing; as anyone else we run as ourselves.
 */
export function serverUser(name: string): OsUser | undefined {
  if (!isRoot()) return undefined;
  const existing = lookup(name);
  if (existing) return existing;
  try {
    execFileSync(
      'useradd',
      [
        '--system',
        '--user-group',
        '--home-dir',
        `/var/lib/${name}`,
        '--create-home',
        '--shell',
        '/usr/sbin/nologin',
        name,
      ],
      { stdio: 'pipe' },
    );
  } catch (e) {
    throw new BillInquiryError(
      'OS_USER',
      `cannot create OS user ${name} to run PostgreSQL as`,
      `create it yourself (useradd --system ${name}) or set cluster.osUser`,
      { cause: e },
    );
  }
  const created = lookup(name);
  if (!created) throw new BillInquiryError('OS_USER', `OS user ${name} not found after useradd`, 'check /etc/passwd');
  return created;
}

function lookup(name: string): OsUser | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, , uid, gid, , home] = line.split(':');
  return { name, uid: Number(uid), gid: Number(gid), home: home || os.tmpdir() };
}

/** mkdir -p with a mode, handed to `owner` when given (as root). */
export function ensureDir(dir: string, mode: number, owner?: OsUser): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode });
  if (owner) chownSync(dir, owner.uid, owner.gid);
}

/** True when `user` can traverse to and read `path` (every parent needs o+x for a non-owner). */
export function reachableBy(user: OsUser | undefined, path: string): boolean {
  if (!user) return true;
  try {
    execFileSync('test', ['-r', path], { uid: user.uid, gid: user.gid, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
