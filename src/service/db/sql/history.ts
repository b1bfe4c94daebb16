/**
 * History writes: one statement per batch, bill rows (unnest of parallel
 * arrays, $1–$10) in a data-modifying CTE, KOS rows ($11–$22) in the main
 * INSERT. One statement is atomic and costs one round trip instead of four
 * (BEGIN, two INSERTs, COMMIT) — under load the service's event loop turns
 * slowly, and round trips per batch bounded how fast history was written. The
 * KOS foreign key is checked at the end of the statement, when the CTE's bill
 * rows exist. A request's row is upserted: PROCESSING first when KOS is slow,
 * then its final state; a final state is never overwritten by a late PROCESSING.
 *
 * Idempotent, because the journal replays rows the database may already hold
 * (after a crash between COMMIT and the journal's bookkeeping): a bill row
 * written again with the same final state changes nothing (the WHERE), the
 * same PROCESSING row rewrites itself, and a KOS row carries its call's key
 * (kos_call_id, migration 1796000000000) so a second INSERT does nothing.
 *
 * `generic` sets plan_cache_mode for this statement's own transaction only
 * (set_config …, true), before the KOS rows are produced: the foreign-key
 * check of each KOS row queries the partitioned bill table, and with the
 * default mode PostgreSQL plans that query afresh for every row (a custom
 * plan prunes better than the generic one it costs out) — most of a cache
 * miss's database CPU (perf). The generic plan prunes at run time instead:
 * 2,000 bill+KOS rows took 160–360 ms instead of 750–960 ms (EXPLAIN ANALYZE,
 * bench/results and docs/service.md).
 */
export const WRITE_HISTORY = `
WITH generic AS (SELECT set_config('plan_cache_mode', 'force_generic_plan', true)),
bills AS (
  INSERT INTO bill_inquiry_history
    (request_id, user_id, line_number, inquiry_month, request_time, process_time, status, result_summary, bill_info_json, error_message)
  SELECT r.request_id, r.user_id, r.line_number, r.inquiry_month, r.request_time, r.process_time, r.status, r.result_summary, to_jsonb(r.bill_info), r.error_message
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::text[])
    AS r(request_id, user_id, line_number, inquiry_month, request_time, process_time, status, result_summary, bill_info, error_message)
  ON CONFLICT (request_id, request_time) DO UPDATE SET
    process_time = EXCLUDED.process_time, status = EXCLUDED.status, result_summary = EXCLUDED.result_summary,
    bill_info_json = EXCLUDED.bill_info_json, error_message = EXCLUDED.error_message
  WHERE bill_inquiry_history.status = 'PROCESSING'
)
INSERT INTO kos_inquiry_history
  (bill_request_id, bill_request_time, line_number, inquiry_month, request_time, response_time, result_code, result_message, kos_data_json, error_detail, retry_count, circuit_breaker_state, kos_call_id)
SELECT k.bill_request_id, k.bill_request_time, k.line_number, k.inquiry_month, k.request_time, k.response_time, k.result_code, k.result_message, to_jsonb(k.kos_data), k.error_detail, k.retry_count, k.breaker_state, k.call_id
FROM unnest($11::text[], $12::timestamptz[], $13::text[], $14::text[], $15::timestamptz[], $16::timestamptz[], $17::text[], $18::text[], $19::text[], $20::text[], $21::int[], $22::text[], $23::uuid[])
  AS k(bill_request_id, bill_request_time, line_number, inquiry_month, request_time, response_time, result_code, result_message, kos_data, error_detail, retry_count, breaker_state, call_id)
CROSS JOIN generic
ON CONFLICT (kos_call_id, request_time) DO NOTHING`;

/** One request by id; request_time = uuid_v7_time(id) prunes to one partition. */
export const SELECT_REQUEST = `
SELECT request_id, user_id, line_number, inquiry_month, request_time, process_time, status, result_summary,
       bill_info_json #>> '{}' AS bill_info, error_message
FROM bill_inquiry_history
WHERE request_id = $1 AND request_time = uuid_v7_time($1)`;

/** The caller's history, newest first; $2 = lines the caller owns, $5 = stored statuses (FAILED stands for FAILED and TIMEOUT). */
const HISTORY_FILTER = `
FROM bill_inquiry_history
WHERE user_id = $1 AND line_number = ANY($2::text[])
  AND ($3::timestamptz IS NULL OR request_time >= $3)
  AND ($4::timestamptz IS NULL OR request_time < $4)
  AND ($5::text[] IS NULL OR status = ANY($5::text[]))`;

export const COUNT_HISTORY = `SELECT count(*)::int AS total ${HISTORY_FILTER}`;

/**
 * The page and, in every row, the total (one round trip); past the last page use COUNT_HISTORY.
 * `keys` sorts and counts the caller's rows on idx_bill_history_user_line alone
 * (request_id in its key, status included: index-only where the visibility map
 * allows); only the page's rows are then read from the table — each by its
 * request_time, so one partition. Sorting whole rows instead read every row of
 * the user (and its ~1 KB bill) for each page: 926 µs a page at a few hundred
 * rows per user (migration 1798000000000).
 * A completed row brings its encrypted bill: the API's resultSummary names its product and amount.
 */
export const SELECT_HISTORY_PAGE = `
WITH keys AS (
  SELECT request_id, request_time, count(*) OVER () AS total
  ${HISTORY_FILTER}
  ORDER BY request_time DESC, request_id DESC
  LIMIT $6 OFFSET $7
)
SELECT h.request_id, h.line_number, h.inquiry_month, h.request_time, h.process_time, h.status, h.result_summary,
       CASE WHEN h.status = 'COMPLETED' THEN h.bill_info_json #>> '{}' END AS bill_info, k.total::int AS total
FROM keys k
JOIN bill_inquiry_history h ON h.request_id = k.request_id AND h.request_time = k.request_time
ORDER BY h.request_time DESC, h.request_id DESC`;
