import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Config } from '../../config/schema.js';
import { clientConfig, type ConnTarget } from '../../db/connection.js';
import { BillInquiryError } from '../../errors.js';
import { ENCRYPTED_COLUMNS, NOTIFY_KEY_ROTATED } from '../db/sql/rotate.js';
import { ColumnCipher } from './columnCipher.js';
import { openKeyring } from './keyring.js';

export interface RotateResult {
  ok: true;
  previousKeyId: string;
  keyId: string;
  reencrypted: Record<string, number>;
}

/**
 * `keys rotate`: a new key becomes current; running services are told
 * (NOTIFY column_key_rotated, see KeyWatcher) and given
 * `service.encryption.rotateGraceMs` to switch and flush what they encrypted
 * under the old key; then every encrypted value not under the new key is
 * re-encrypted, one batch per transaction, with progress. Safe to re-run: it
 * only touches values under other keys. `reuseCurrent` re-encrypts to the
 * current key without adding one (and tells services again).
 */
export async function rotateKeys(
  cfg: Readonly<Config>,
  app: ConnTarget,
  opts: { onProgress?: (msg: string) => void; reuseCurrent?: boolean } = {},
): Promise<RotateResult> {
  const keyring = openKeyring(cfg);
  const previousKeyId = keyring.current.id;
  const keyId = opts.reuseCurrent ? previousKeyId : keyring.add();
  const cipher = new ColumnCipher(keyring);
  const client = new pg.Client(clientConfig(app));
  await client.connect();
  const reencrypted: Record<string, number> = {};
  try {
    await client.query(NOTIFY_KEY_ROTATED, [keyId]);
    const { rotateGraceMs } = cfg.service.encryption;
    opts.onProgress?.(
      `running services told to encrypt under ${keyId}; waiting ${rotateGraceMs} ms for them to switch and flush`,
    );
    await sleep(rotateGraceMs);
    for (const col of ENCRYPTED_COLUMNS) {
      let done = 0;
      for (;;) {
        const n = await rotateBatch(client, cipher, col, keyId, cfg.service.encryption.rotateBatchSize);
        if (n === 0) break;
        done += n;
        opts.onProgress?.(`${col.table}: ${done} value(s) re-encrypted`);
      }
      reencrypted[col.table] = done;
    }
  } finally {
    await client.end();
  }
  return { ok: true, previousKeyId, keyId, reencrypted };
}

async function rotateBatch(
  client: pg.Client,
  cipher: ColumnCipher,
  col: (typeof ENCRYPTED_COLUMNS)[number],
  keyId: string,
  size: number,
): Promise<number> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ k1: string; k2: Date | null; value: string }>(col.select, [keyId, size]);
    for (const r of rows) {
      let plain: string;
      try {
        plain = cipher.decrypt(col.column, r.value);
      } catch (e) {
        throw new BillInquiryError(
          'ROTATE_DECRYPT',
          `a value in ${col.table} cannot be decrypted: ${(e as Error).message}`,
          'restore the missing key file into the data dir secrets, then run keys rotate again',
          { cause: e },
        );
      }
      await client.query(col.update, [cipher.encrypt(col.column, plain), r.k1, ...(col.keys === 2 ? [r.k2] : [])]);
    }
    await client.query('COMMIT');
    return rows.length;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
