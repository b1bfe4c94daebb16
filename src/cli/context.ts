import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';

export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  json?: boolean;
}

export const globals = (cmd: Command): GlobalOptions => cmd.optsWithGlobals<GlobalOptions>();

/** The validated config for a command: defaults ← file ← env ← global flags ← the command's own overrides. */
export function commandConfig(cmd: Command, overrides: Record<string, unknown> = {}): Readonly<Config> {
  const g = globals(cmd);
  return loadConfig({ file: g.config, overrides: { ...(g.dataDir ? { dataDir: g.dataDir } : {}), ...overrides } });
}

/** Parses an integer flag, rejecting garbage with a clear message. */
export function intOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number, got "${value}"`);
    return n;
  };
}
