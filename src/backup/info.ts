import type { Config } from '../config/schema.js';
import { BillInquiryError } from '../errors.js';
import { SecretStore } from '../system/secrets.js';
import {
  AZURE_CONTAINER_MISSING,
  cipherSecret,
  containerMissing,
  pgbackrest,
  writePgbackrestConf,
} from './pgbackrest.js';

/** pgBackRest's "other error" status of a repository. */
const UNREADABLE = 99;

/** One backup set as `pgbackrest info --output=json` reports it (the fields we use). */
interface RawBackup {
  label: string;
  type: 'full' | 'diff' | 'incr';
  error?: boolean;
  timestamp: { start: number; stop: number };
  info: { size: number; repository: { size: number } };
  database: { 'repo-key': number };
  archive: { start: string; stop: string };
  lsn: { start: string; stop: string };
}

interface RawStanza {
  name: string;
  status: { code: number; message: string };
  backup: RawBackup[];
  archive: Array<{ id: string; min: string | null; max: string | null; database: { 'repo-key': number } }>;
  repo: Array<{ key: number; cipher: string; status: { code: number; message: string } }>;
}

export interface BackupSet {
  label: string;
  repo: number;
  type: RawBackup['type'];
  start: string;
  stop: string;
  sizeBytes: number;
  repoSizeBytes: number;
  /** WAL position where the backup became consistent: the earliest LSN it can be restored to. */
  stopLsn: string;
  ok: boolean;
}

export interface RepoInfo {
  repo: number;
  /** pgBackRest status code: 0 ok, 1 missing stanza path, 2 no valid backups, 3 missing stanza data. */
  code: number;
  cipher: string;
  status: string;
  backups: number;
  /** Stop time of the newest error-free backup (ISO), for monitoring's "last successful backup" alarm. */
  lastSuccessfulBackup?: string;
  /** Oldest restorable point: stop time of the oldest error-free backup. */
  oldestBackup?: string;
  walArchive?: { min: string | null; max: string | null };
}

export interface BackupInfo {
  stanza: string;
  status: string;
  repos: RepoInfo[];
  backups: BackupSet[];
}

const iso = (epochS: number) => new Date(epochS * 1000).toISOString();

/** Parsed `pgbackrest info`: per repository the newest/oldest good backup and the WAL archive range. */
export async function backupInfo(cfg: Readonly<Config>): Promise<BackupInfo> {
  await writePgbackrestConf(cfg);
  const { stdout } = await pgbackrest(cfg, ['--output=json', 'info']);
  // A repository read with the wrong passphrase yields its garbled bytes inside an error message.
  // eslint-disable-next-line no-control-regex -- control bytes are exactly what must go
  const [stanza] = JSON.parse(stdout.replace(/[\u0000-\u001f]/g, ' ')) as RawStanza[];
  if (!stanza) return { stanza: cfg.backup.stanza, status: 'missing', repos: [], backups: [] };
  const backups: BackupSet[] = stanza.backup.map((b) => ({
    label: b.label,
    repo: b.database['repo-key'],
    type: b.type,
    start: iso(b.timestamp.start),
    stop: iso(b.timestamp.stop),
    sizeBytes: b.info.size,
    repoSizeBytes: b.info.repository.size,
    stopLsn: b.lsn.stop,
    ok: !b.error,
  }));
  const undecryptable = stanza.repo.filter(
    (r) => r.status.code === UNREADABLE && /FormatError|CryptoError|decrypt/i.test(r.status.message),
  );
  if (undecryptable.length) {
    const which = undecryptable.map((r) => r.key).join(', ');
    throw new BillInquiryError(
      'BACKUP_PASSPHRASE',
      `backup repository ${which} cannot be decrypted with the configured passphrase (its info files read as garbage)`,
      `put the repository's passphrase back into the secret store (secrets/${cipherSecret(undecryptable[0]!.key)} or ${SecretStore.envName(cipherSecret(undecryptable[0]!.key))})`,
    );
  }
  // pgBackRest reads a 404 as "no such file": only info's listing shows that the container itself is missing.
  const noContainer = stanza.repo.find(
    (r) => r.status.code === UNREADABLE && AZURE_CONTAINER_MISSING.test(r.status.message),
  );
  if (noContainer) throw containerMissing(cfg, noContainer.key, 'info');
  const repos = stanza.repo.map((r): RepoInfo => {
    const good = backups.filter((b) => b.repo === r.key && b.ok).sort((a, b) => a.stop.localeCompare(b.stop));
    const archive = stanza.archive.find((a) => a.database['repo-key'] === r.key);
    return {
      repo: r.key,
      code: r.status.code,
      cipher: r.cipher,
      status: r.status.message,
      backups: good.length,
      ...(good.length ? { lastSuccessfulBackup: good[good.length - 1]!.stop, oldestBackup: good[0]!.stop } : {}),
      ...(archive ? { walArchive: { min: archive.min, max: archive.max } } : {}),
    };
  });
  return { stanza: stanza.name, status: stanza.status.message, repos, backups };
}
