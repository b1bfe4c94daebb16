/** Shared bill cache (bill_info_cache): other instances see what one fetched. */
export const SELECT_BILL_CACHE = `
SELECT bill_info_json #>> '{}' AS bill_info, expires_at FROM bill_info_cache
WHERE cache_key = $1 AND expires_at > now()`;

/**
 * Access statistics, batched off the read path: $1 keys, $2 hits since the
 * last batch. Several processes bump the same hot rows: rows another one has
 * locked are skipped (their hits are statistics, not worth a wait), so two
 * batches never wait on each other — and never deadlock.
 */
export const BUMP_BILL_CACHE_ACCESS = `
WITH free AS (
  SELECT cache_key FROM bill_info_cache WHERE cache_key = ANY($1::text[]) FOR UPDATE SKIP LOCKED
)
UPDATE bill_info_cache c SET access_count = c.access_count + a.hits, last_accessed_at = now()
FROM unnest($1::text[], $2::int[]) AS a(cache_key, hits) JOIN free USING (cache_key)
WHERE c.cache_key = a.cache_key`;

/**
 * New cache entries, batched: one statement (and one commit) per flush instead
 * of one per KOS answer. Callers pass the keys sorted: processes upserting the
 * same keys then lock them in one order (no deadlock).
 */
export const UPSERT_BILL_CACHE = `
INSERT INTO bill_info_cache (cache_key, line_number, inquiry_month, bill_info_json, cached_at, expires_at)
SELECT e.cache_key, e.line_number, e.inquiry_month, to_jsonb(e.bill_info), now(), e.expires_at
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS e(cache_key, line_number, inquiry_month, bill_info, expires_at)
ON CONFLICT (cache_key) DO UPDATE SET bill_info_json = EXCLUDED.bill_info_json, cached_at = now(), expires_at = EXCLUDED.expires_at`;

export const SELECT_CUSTOMER = `
SELECT customer_id, line_number, customer_name, status, operator_code, expires_at
FROM customer_info WHERE line_number = $1 AND expires_at > now()`;

/** A line that moved to another customer frees its unique line_number first. */
export const UPSERT_CUSTOMER = `
WITH freed AS (DELETE FROM customer_info WHERE line_number = $2 AND customer_id <> $1)
INSERT INTO customer_info (customer_id, line_number, customer_name, status, operator_code, cached_at, expires_at)
VALUES ($1, $2, $3, $4, $5, now(), $6)
ON CONFLICT (customer_id) DO UPDATE SET line_number = EXCLUDED.line_number, customer_name = EXCLUDED.customer_name,
  status = EXCLUDED.status, operator_code = EXCLUDED.operator_code, cached_at = now(), expires_at = EXCLUDED.expires_at`;
