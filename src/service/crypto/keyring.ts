import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import type { Config } from '../../config/schema.js';
import { BillInquiryError } from '../../errors.js';
import { SecretStore } from '../../system/secrets.js';

/** Secret names: `column-key-<kid>` (32 random bytes, base64) and `column-key-current` (the kid that encrypts). */
const KEY_PREFIX = 'column-key-';
const CURRENT = 'column-key-current';
const KID = /^k[0-9]{14}$/;

/**
 * Column-encryption keys in a SecretStore: the data dir's, or a directory
 * every replica mounts (service.encryption.keysDir), with
 * BILL_INQUIRY_SECRET_COLUMN_KEY_* variables first. Old keys stay so old
 * values decrypt; `keys rotate` adds one, makes it current, re-encrypts;
 * running services `reload()` when told (KeyWatcher).
 */
export class Keyring {
  private readonly keys = new Map<string, Buffer>();
  private currentId: string;

  /** `generate: false` (the external topology): no key → KEYS_MISSING instead of a key of this process's own. */
  constructor(
    private readonly store: SecretStore,
    opts: { generate?: boolean } = {},
  ) {
    const current = store.peek(CURRENT);
    if (!current && opts.generate === false)
      throw new BillInquiryError(
        'KEYS_MISSING',
        `no column-encryption key (${CURRENT} in ${store.dir} or ${SecretStore.envName(CURRENT)}); on the external topology none is generated per process, or replicas could not read each other's rows`,
        `create one once: \`bill-inquiry keys new --out-dir DIR\`, put DIR into a Kubernetes Secret (kubectl create secret generic bill-inquiry-column-keys --from-file=DIR) mounted read-only at service.encryption.keysDir on every replica`,
      );
    this.currentId = current ?? this.add();
    this.key(this.currentId);
  }

  get current(): { id: string; key: Buffer } {
    return { id: this.currentId, key: this.key(this.currentId) };
  }

  key(id: string): Buffer {
    let key = this.keys.get(id);
    if (!key) {
      if (!KID.test(id))
        throw new BillInquiryError(
          'KEY_ID_INVALID',
          `column key id "${id}" is malformed`,
          'the value was not written by this service',
        );
      const raw = this.store.peek(KEY_PREFIX + id);
      if (!raw)
        throw new BillInquiryError(
          'KEY_MISSING',
          `column key ${id} is not in ${this.store.dir}`,
          `restore secret ${KEY_PREFIX}${id} (or BILL_INQUIRY_SECRET_COLUMN_KEY_${id.toUpperCase()})`,
        );
      key = Buffer.from(raw, 'base64');
      if (key.length !== 32)
        throw new BillInquiryError('KEY_INVALID', `column key ${id} is not 32 bytes`, 'restore the original key file');
      this.keys.set(id, key);
    }
    return key;
  }

  /**
   * Re-reads which key is current (after `keys rotate` elsewhere) and switches
   * to it; throws KEY_MISSING/KEY_INVALID, keeping the old key, when the new
   * one cannot be read here.
   */
  reload(): { id: string; switched: boolean } {
    const id = this.store.peek(CURRENT);
    if (!id || id === this.currentId) return { id: this.currentId, switched: false };
    this.key(id);
    this.currentId = id;
    return { id, switched: true };
  }

  /** Ids of every key stored in the data dir. */
  ids(): string[] {
    if (!existsSync(this.store.dir)) return [this.currentId];
    const found = readdirSync(this.store.dir).filter(
      (f) => f.startsWith(KEY_PREFIX) && KID.test(f.slice(KEY_PREFIX.length)),
    );
    return [...new Set([...found.map((f) => f.slice(KEY_PREFIX.length)), this.currentId])].sort();
  }

  /** Generates a new key and makes it current; returns its id. */
  add(): string {
    const id = newKeyId(this.currentId);
    this.store.put(KEY_PREFIX + id, randomBytes(32).toString('base64'));
    this.store.put(CURRENT, id);
    this.currentId = id;
    return id;
  }
}

/**
 * The keyring a command or service of this config uses: keys from
 * service.encryption.keysDir when set, else the data dir; generated on first
 * use only when this tool runs the database (a local topology). An external
 * database (service.database) is shared by replicas that must share keys.
 */
export const openKeyring = (cfg: Readonly<Config>, opts: { generate?: boolean } = {}): Keyring =>
  new Keyring(new SecretStore(cfg.dataDir, process.env, cfg.service.encryption.keysDir), {
    generate: opts.generate ?? !cfg.service.database,
  });

/** k + UTC yyyymmddHHMMSS, bumped by a second if it would not sort after the previous one. */
function newKeyId(previous: string | undefined): string {
  let t = Date.now();
  const fmt = (ms: number) => `k${new Date(ms).toISOString().replace(/\D/g, '').slice(0, 14)}`;
  while (previous && fmt(t) <= previous) t += 1000;
  return fmt(t);
}

/**
 * `keys new --out-dir`: key files for a Secret, written by a keyring on that
 * directory alone (no BILL_INQUIRY_SECRET_* variables read). A directory that
 * already has keys gets another only with `rotate`.
 */
export function newKeyFiles(dir: string, opts: { rotate: boolean }): { keyId: string; dir: string; keys: string[] } {
  const store = new SecretStore('', {}, dir);
  const existing = store.peek(CURRENT);
  if (existing && !opts.rotate)
    throw new BillInquiryError(
      'KEYS_EXIST',
      `${dir} already holds column keys (current ${existing})`,
      'add --rotate to add a key and make it current, or pick an empty --out-dir',
    );
  const ring = new Keyring(store);
  const keyId = existing ? ring.add() : ring.current.id;
  return { keyId, dir, keys: ring.ids() };
}
