import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BillInquiryError } from '../../errors.js';
import type { Keyring } from './keyring.js';

/** Format tag of every encrypted value: `gcm1.<kid>.<iv>.<tag>.<ciphertext>` (base64url parts). */
const VERSION = 'gcm1';
const IV_BYTES = 12;

/** Which column a value belongs to; bound as AAD so a value cannot be moved to another column (`customer_info`: a whole customer record, as Redis holds it). */
export type Column = 'customer_info.customer_name' | 'bill_info_json' | 'kos_data_json' | 'customer_info';

/** AES-256-GCM for the sensitive columns (plan §10.2): the key id travels with each value so keys can rotate. */
export class ColumnCipher {
  private readonly memo = new WeakMap<object, Partial<Record<Column, { kid: string; value: string }>>>();

  constructor(readonly keyring: Keyring) {}

  encrypt(column: Column, plaintext: string): string {
    const { id, key } = this.keyring.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(column));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      VERSION,
      id,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ct.toString('base64url'),
    ].join('.');
  }

  decrypt(column: Column, value: string): string {
    const [version, kid, iv, tag, ct] = value.split('.');
    if (version !== VERSION || !kid || !iv || !tag || ct === undefined) {
      throw new BillInquiryError(
        'CIPHERTEXT_INVALID',
        `value in ${column} is not an encrypted value`,
        'was it written by another tool?',
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', this.keyring.key(kid), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(column));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  /**
   * Objects are encrypted once per (object, column, key) and the ciphertext
   * reused: a cached bill written to many history rows costs one encryption.
   * Safe for GCM — the same IV only ever meets the same plaintext — at the
   * price that equal values in those rows have equal ciphertexts.
   */
  encryptJson(column: Column, value: object): string {
    const kid = this.keyring.current.id;
    const memo = this.memo.get(value);
    const hit = memo?.[column];
    if (hit && hit.kid === kid) return hit.value;
    const enc = this.encrypt(column, JSON.stringify(value));
    this.memo.set(value, { ...memo, [column]: { kid, value: enc } });
    return enc;
  }

  decryptJson<T>(column: Column, value: string): T {
    return JSON.parse(this.decrypt(column, value)) as T;
  }

  /** Key id of an encrypted value (for rotation). */
  static keyId(value: string): string | undefined {
    return value.startsWith(`${VERSION}.`) ? value.split('.')[1] : undefined;
  }
}
