import type { Config } from '../config/schema.js';
import { BillInquiryError } from '../errors.js';
import { backupInfo, type BackupSet } from './info.js';
import { pgbackrest, writePgbackrestConf } from './pgbackrest.js';
import { ensureStanza } from './stanza.js';

export type BackupType = 'full' | 'diff' | 'incr';

export interface BackupRunResult {
  ok: true;
  type: BackupType;
  repos: Array<{ repo: number; label: string; seconds: number; sizeBytes: number }>;
}

/**
 * One backup into each repository in turn (pgBackRest writes one repo per
 * run): repo1, then the geo-redundant repo2. A diff/incr without a prior full
 * is promoted to full by pgBackRest.
 */
export async function runBackup(
  cfg: Readonly<Config>,
  type: BackupType,
  onlyRepo?: number,
  opts: { signal?: AbortSignal } = {},
): Promise<BackupRunResult> {
  const repos = onlyRepo ? [onlyRepo] : cfg.backup.repos.map((_, i) => i + 1);
  if (onlyRepo && (onlyRepo < 1 || onlyRepo > cfg.backup.repos.length)) {
    throw new BillInquiryError(
      'NO_SUCH_REPO',
      `repository ${onlyRepo} is not configured`,
      `choose 1..${cfg.backup.repos.length}`,
    );
  }
  await ensureStanza(cfg);
  const out: BackupRunResult['repos'] = [];
  for (const repo of repos) {
    const started = Date.now();
    await pgbackrest(cfg, [`--type=${type}`, `--repo=${repo}`, 'backup'], opts);
    const seconds = (Date.now() - started) / 1000;
    const newest = latest((await backupInfo(cfg)).backups.filter((b) => b.repo === repo));
    out.push({ repo, label: newest?.label ?? '?', seconds, sizeBytes: newest?.sizeBytes ?? 0 });
  }
  return { ok: true, type, repos: out };
}

const latest = (sets: BackupSet[]) => [...sets].sort((a, b) => a.stop.localeCompare(b.stop)).pop();

/**
 * `pgbackrest verify` per repository: every backup file's checksum and the
 * WAL chain; the WAL ranges and any backup it found damaged are the detail.
 * A repository whose info files cannot be read (never written, or an Azure
 * container that does not exist) has nothing verified: that is a failure.
 */
export async function verifyBackups(
  cfg: Readonly<Config>,
): Promise<{ ok: boolean; repos: Array<{ repo: number; ok: boolean; detail: string }> }> {
  await writePgbackrestConf(cfg);
  const results = [];
  for (const repo of cfg.backup.repos.map((_, i) => i + 1)) {
    try {
      const r = await pgbackrest(cfg, [`--repo=${repo}`, '--log-level-console=detail', 'verify']);
      const detail = (r.stdout + r.stderr)
        .split('\n')
        .filter((l) => /archiveId:|backup:|No usable|WARN/.test(l))
        .map((l) => l.replace(/^.*?(DETAIL|WARN): /, '').trim())
        .join('\n');
      // verify exits 0 even when it finds damage: the per-backup status says it.
      results.push({ repo, ok: !/status: (?!valid\b)|No usable|WARN/.test(detail), detail });
    } catch (e) {
      results.push({ repo, ok: false, detail: e instanceof Error ? e.message : String(e) });
    }
  }
  return { ok: results.every((r) => r.ok), repos: results };
}
