import type pg from 'pg';
import { escapeIdentifier } from 'pg';
import type { Config } from '../config/schema.js';
import type { ConnTarget } from '../db/connection.js';
import { PUBLIC } from './privileges.js';

/** One difference between the database and the plan, made (apply) or to be made (plan). */
export interface Change {
  id: string;
  action: string;
  detail?: string;
}

/** What each installer step shares: the config, the mode, and where changes and warnings are recorded. */
export class StepContext {
  readonly changes: Change[] = [];
  readonly warnings: string[] = [];

  constructor(
    readonly cfg: Readonly<Config>,
    readonly dryRun: boolean,
    readonly serverVersion: number,
    private readonly onProgress: (msg: string) => void = () => {},
    /** The admin connection apply runs with (login probes reuse its host, port and TLS settings). */
    readonly admin?: ConnTarget,
  ) {}

  /** Records a change and, unless this is a dry run, executes its statements in order. */
  async change(
    client: pg.Client | undefined,
    change: Change,
    statements: Array<string | { text: string; values: unknown[] }>,
  ): Promise<void> {
    this.changes.push(change);
    this.onProgress(
      `${this.dryRun ? 'would ' : ''}${change.action} ${change.id}${change.detail ? ` (${change.detail})` : ''}`,
    );
    if (this.dryRun || !client) return;
    for (const s of statements) await client.query(s);
  }

  warn(msg: string): void {
    this.warnings.push(msg);
    this.onProgress(`WARNING: ${msg}`);
  }

  progress(msg: string): void {
    this.onProgress(msg);
  }
}

/** A role name as SQL (PUBLIC stays the keyword). */
export const grantee = (role: string): string => (role === PUBLIC ? PUBLIC : escapeIdentifier(role));
export const ident = escapeIdentifier;

/** Groups ACL rows (grantee, privilege) into grantee → privileges. */
/** One row of an ACL query: who holds which privilege. */
export interface AclRow {
  grantee: string | null;
  privilege: string | null;
}

export function aclMap(rows: AclRow[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const r of rows) {
    if (!r.grantee || !r.privilege) continue;
    if (!m.has(r.grantee)) m.set(r.grantee, new Set());
    m.get(r.grantee)!.add(r.privilege);
  }
  return m;
}

/** Anything that runs a query: a client, or a pool shared by concurrent checks. */
export type Queryable = Pick<pg.Pool, 'query'>;
