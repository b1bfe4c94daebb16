/** Tables the drills write to, in the `postgres` database (never the application's data). */

export const FAILOVER_TABLE_SETUP = `CREATE TABLE IF NOT EXISTS drill_failover_writes (id bigint PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT clock_timestamp());
TRUNCATE drill_failover_writes`;
export const FAILOVER_INSERT = `INSERT INTO drill_failover_writes (id) VALUES ($1)`;
export const FAILOVER_IDS = `SELECT id FROM drill_failover_writes`;

export const PITR_TABLE_SETUP = `DROP TABLE IF EXISTS drill_pitr_rows;
CREATE TABLE drill_pitr_rows (id bigint PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT clock_timestamp())`;
export const PITR_INSERT = `INSERT INTO drill_pitr_rows (id) VALUES ($1)`;
/**
 * The target is the server's clock after the last "before" commit (no
 * client/server skew), as ISO 8601 text with microseconds: a JS Date would
 * truncate to milliseconds and cut off a commit made in the same millisecond.
 */
export const PITR_NOW = `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS now`;
/** The destructive statement the drill recovers from (plan §9.3 data-corruption scenario). */
export const PITR_DESTROY = `DELETE FROM drill_pitr_rows`;
export const PITR_COUNTS = `SELECT count(*) FILTER (WHERE id <= $1)::int AS before, count(*) FILTER (WHERE id > $1)::int AS after FROM drill_pitr_rows`;
export const PITR_DROP = `DROP TABLE IF EXISTS drill_pitr_rows`;

/** Rows of ~1 KB of hex (md5 chains: compresses no better than real data, about 2:1). */
export const RESTORE_CREATE = `DROP TABLE IF EXISTS drill_restore_data;
CREATE TABLE drill_restore_data (id bigint, payload text)`;
export const RESTORE_FILL = `INSERT INTO drill_restore_data
  SELECT g, (SELECT string_agg(md5((g * 31 + k)::text), '') FROM generate_series(1, 30) k) FROM generate_series($1::bigint, $2::bigint) g`;
export const RESTORE_DROP = `DROP TABLE IF EXISTS drill_restore_data`;
export const RESTORE_COUNT = `SELECT count(*)::bigint AS n FROM drill_restore_data`;
/** Bytes per row of RESTORE_FILL on disk (960 bytes of text plus tuple and page overhead). */
export const RESTORE_ROW_BYTES = 1100;

/** How many of the acknowledged inquiries have their history row (request_id is unique per inquiry). */
export const HISTORY_PRESENT = `SELECT count(DISTINCT request_id)::bigint AS n FROM bill_inquiry_history WHERE request_id = ANY($1::text[])`;
/** Which of the acknowledged inquiries have no history row. */
export const HISTORY_MISSING = `SELECT id FROM unnest($1::text[]) AS id
  WHERE NOT EXISTS (SELECT 1 FROM bill_inquiry_history h WHERE h.request_id = id)`;
