import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Files of one local PostgreSQL instance under `<dataDir>/pg/<name>/`. */
export interface InstancePaths {
  root: string;
  pgdata: string;
  socketDir: string;
  logFile: string;
  stateFile: string;
}

export function instancePaths(dataDir: string, name: string): InstancePaths {
  const root = path.join(dataDir, 'pg', name);
  return {
    root,
    pgdata: path.join(root, 'data'),
    socketDir: path.join(root, 'run'),
    logFile: path.join(root, 'server.log'),
    stateFile: path.join(root, 'instance.json'),
  };
}

/** What `cluster up` chose, so later commands find the instance without flags. */
export interface InstanceState {
  name: string;
  port: number;
  binDir: string;
  binarySource: string;
  version: number;
  role: 'primary' | 'replica';
}

export function readState(p: InstancePaths): InstanceState | undefined {
  return existsSync(p.stateFile) ? (JSON.parse(readFileSync(p.stateFile, 'utf8')) as InstanceState) : undefined;
}

export function writeState(p: InstancePaths, s: InstanceState): void {
  writeFileSync(p.stateFile, `${JSON.stringify(s, null, 2)}\n`);
}
