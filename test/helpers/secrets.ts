import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Every value in the data dir's secret store (`<dataDir>/secrets/*`). */
export function storedSecrets(dataDir: string): Map<string, string> {
  const dir = path.join(dataDir, 'secrets');
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f), 'utf8').trim()]));
}

/** Every log file under `root`: PostgreSQL's log directories, pg_ctl's server.log, Patroni's and etcd's logs. */
export function logFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) {
        // Data files are not logs; pg_wal and base would only slow the scan down.
        if (!['base', 'global', 'pg_wal', 'pg_xact', 'repo1', 'repo2', 'spool', 'secrets', 'tls'].includes(name))
          walk(p);
      } else if (/\.log$|^server\.log$|^postgresql-.*\.(log|csv)$/.test(name)) out.push(p);
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

/** `name in file` for each secret found in a log; empty when none leaked. */
export function secretsInLogs(dataDir: string): string[] {
  const secrets = [...storedSecrets(dataDir)].filter(([, v]) => v.length >= 8);
  const leaks: string[] = [];
  for (const file of logFiles(dataDir)) {
    const text = readFileSync(file, 'utf8');
    for (const [name, value] of secrets) if (text.includes(value)) leaks.push(`${name} in ${file}`);
  }
  return leaks;
}
