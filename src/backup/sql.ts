/** Queries of the post-restore integrity check (plan §9.3 restore test). */

/** Databases to check (templates excluded). */
export const LIST_DATABASES = `SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname`;

/** The Bill-Inquiry tables that exist in this database (a restore may predate the schema). */
export const EXISTING_TABLES = `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname = ANY($1::text[]) ORDER BY c.relname`;

/**
 * Row count and an order-independent content checksum of one table: md5 of
 * the rows' text, sorted, so the same rows give the same digest on any copy.
 * The table name is an identifier checked against EXISTING_TABLES and quoted
 * with format(%I) server-side.
 */
export const TABLE_DIGEST = `SELECT format('SELECT count(*)::bigint AS rows, md5(coalesce(string_agg(r, E''\\n'' ORDER BY r), '''')) AS md5 FROM (SELECT t::text AS r FROM %I t) s', $1::text) AS sql`;
