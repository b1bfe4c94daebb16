/**
 * Key rotation: each encrypted column, the rows whose value is not under the
 * current key ($1 = key id, $2 = batch size), and how to write one value back.
 * Values look like `gcm1.<kid>.…`; jsonb columns hold them as a JSON string.
 */
/**
 * `keys rotate` tells running services that `column-key-current` changed
 * ($1 = the new key id); they re-read it from their SecretStore. Any role may
 * NOTIFY, so the app connection rotate already holds is enough.
 */
export const KEY_ROTATED_CHANNEL = 'column_key_rotated';
export const NOTIFY_KEY_ROTATED = `SELECT pg_notify('column_key_rotated', $1)`;
export const LISTEN_KEY_ROTATED = `LISTEN column_key_rotated`;

export interface EncryptedColumn {
  table: string;
  column: 'customer_info.customer_name' | 'bill_info_json' | 'kos_data_json';
  select: string;
  /** $1 = new value, then the row key (k1, and k2 when `keys` is 2). */
  update: string;
  keys: 1 | 2;
}

export const ENCRYPTED_COLUMNS: EncryptedColumn[] = [
  {
    table: 'customer_info',
    column: 'customer_info.customer_name',
    select: `SELECT customer_id AS k1, NULL::timestamptz AS k2, customer_name AS value FROM customer_info
             WHERE split_part(customer_name, '.', 2) <> $1 LIMIT $2 FOR UPDATE SKIP LOCKED`,
    update: `UPDATE customer_info SET customer_name = $1 WHERE customer_id = $2`,
    keys: 1,
  },
  {
    table: 'bill_info_cache',
    column: 'bill_info_json',
    select: `SELECT cache_key AS k1, NULL::timestamptz AS k2, bill_info_json #>> '{}' AS value FROM bill_info_cache
             WHERE split_part(bill_info_json #>> '{}', '.', 2) <> $1 LIMIT $2 FOR UPDATE SKIP LOCKED`,
    update: `UPDATE bill_info_cache SET bill_info_json = to_jsonb($1::text) WHERE cache_key = $2`,
    keys: 1,
  },
  {
    table: 'bill_inquiry_history',
    column: 'bill_info_json',
    select: `SELECT id::text AS k1, request_time AS k2, bill_info_json #>> '{}' AS value FROM bill_inquiry_history
             WHERE bill_info_json IS NOT NULL AND split_part(bill_info_json #>> '{}', '.', 2) <> $1 LIMIT $2 FOR UPDATE SKIP LOCKED`,
    update: `UPDATE bill_inquiry_history SET bill_info_json = to_jsonb($1::text) WHERE id = $2::bigint AND request_time = $3`,
    keys: 2,
  },
  {
    table: 'kos_inquiry_history',
    column: 'kos_data_json',
    select: `SELECT id::text AS k1, request_time AS k2, kos_data_json #>> '{}' AS value FROM kos_inquiry_history
             WHERE kos_data_json IS NOT NULL AND split_part(kos_data_json #>> '{}', '.', 2) <> $1 LIMIT $2 FOR UPDATE SKIP LOCKED`,
    update: `UPDATE kos_inquiry_history SET kos_data_json = to_jsonb($1::text) WHERE id = $2::bigint AND request_time = $3`,
    keys: 2,
  },
];
