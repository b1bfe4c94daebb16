-- Up Migration
-- A key per KOS call, so writing a kos_inquiry_history row twice is harmless.
--
-- The service journals history rows on local disk before it answers, and
-- replays the journal after a crash (docs/service.md "History"). A replay
-- cannot know which of its rows the database committed just before the crash,
-- so every history write must be idempotent. Bill rows already are (upsert on
-- request_id). KOS rows were plain INSERTs and would be duplicated. The service
-- now gives each KOS call a UUID when the row is made, journals it with the
-- row, and writes ON CONFLICT (kos_call_id, request_time) DO NOTHING.
--
-- Why a key in the database rather than bookkeeping in the journal: a "this
-- batch committed" mark written after COMMIT is lost when the process dies
-- between the two, which is exactly the case replay exists for. Only the
-- database knows what it committed. The key includes request_time because a
-- unique constraint on a partitioned table must include the partition key; the
-- UUID alone already makes it unique. Rows written before this migration keep
-- kos_call_id NULL, and NULLs never conflict.
ALTER TABLE kos_inquiry_history ADD COLUMN kos_call_id uuid;
ALTER TABLE kos_inquiry_history
  ADD CONSTRAINT kos_inquiry_history_call_key UNIQUE (kos_call_id, request_time);
COMMENT ON COLUMN kos_inquiry_history.kos_call_id IS
  'Identifier of one KOS call, given by the service; makes replaying a journaled KOS row harmless (NULL on rows older than the journal)';

-- Down Migration
ALTER TABLE kos_inquiry_history DROP CONSTRAINT IF EXISTS kos_inquiry_history_call_key;
ALTER TABLE kos_inquiry_history DROP COLUMN IF EXISTS kos_call_id;
