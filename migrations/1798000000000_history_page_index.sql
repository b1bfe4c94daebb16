-- Up Migration
-- The history page (service/db/sql/history.ts SELECT_HISTORY_PAGE) pages a
-- user's rows by (request_time DESC, request_id DESC) and counts them. On the
-- design's (user_id, line_number, request_time DESC) every page read each of
-- the user's rows from the heap — about one page and one ~1 KB encrypted bill
-- each, since concurrent writes scatter a user's rows — to sort and count
-- them: at the bench's open loop, with a few hundred rows per user, 926 µs and
-- 216 buffers a page, 73 % of PostgreSQL's statement time. With request_id in
-- the key and status included, the sort and count run on the index alone
-- (index-only where the visibility map allows) and only the page's rows are
-- read: 500 rows per user, 100 of them not yet vacuumed, 1.37 → 0.61 ms a page
-- (pgbench, one client). The name stays the design's: same leading columns,
-- so every query that used it still can.
--
-- CREATE INDEX on the partitioned table builds every partition's index in this
-- migration's transaction; writes to bill_inquiry_history wait for it (the
-- service's writer keeps acknowledged rows queued and journaled meanwhile).
DROP INDEX idx_bill_history_user_line;
CREATE INDEX idx_bill_history_user_line ON bill_inquiry_history
  (user_id, line_number, request_time DESC, request_id DESC) INCLUDE (status);

-- Down Migration
DROP INDEX idx_bill_history_user_line;
CREATE INDEX idx_bill_history_user_line ON bill_inquiry_history (user_id, line_number, request_time DESC);
