-- Up Migration
-- What a DBA who knows the phonebill schema script (design/backend/database/
-- bill-inquiry-schema.psql, which the plan applies in §6.1) expects and the
-- first migration lacked. Not brought over, deliberately:
--   * the history tables stay partitioned (see 1764000000000_schema.sql for why
--     the keys are (id, request_time) and (request_id, request_time));
--   * no GIN indexes on bill_info_json / kos_data_json: those columns hold
--     AES-256-GCM ciphertext as a JSON string (plan §10.2), so a GIN index could
--     only ever match the whole encrypted value — it would cost writes and find nothing;
--   * constraint, trigger and trigger-function names stay PostgreSQL's / ours.

-- system_config keys as the schema script names them. Renamed in place, so a
-- value an operator changed and its is_active flag stay as they are. A key an
-- operator already added under its new name wins, and the old row goes: the
-- service reads only the new names. The table's trigger NOTIFYs every renamed
-- row, so running services re-read their settings.
WITH renames(old_key, new_key) AS (VALUES
  ('customer.cache.ttl.hours', 'bill.customer.cache.ttl.hours'),
  ('kos.connect.timeout.ms', 'kos.connection.timeout.ms'),
  ('kos.retry.attempts', 'kos.retry.max.attempts'),
  ('kos.circuit.failure.threshold', 'circuit.breaker.failure.threshold'),
  ('kos.circuit.recovery.timeout.ms', 'circuit.breaker.recovery.timeout.ms'),
  ('kos.circuit.success.threshold', 'circuit.breaker.success.threshold'),
  ('mvno.connect.timeout.ms', 'mvno.connection.timeout.ms')
), superseded AS (
  DELETE FROM system_config c USING renames r
  WHERE c.config_key = r.old_key AND EXISTS (SELECT 1 FROM system_config n WHERE n.config_key = r.new_key)
  RETURNING c.config_key
)
UPDATE system_config c SET config_key = r.new_key
FROM renames r
WHERE c.config_key = r.old_key AND c.config_key NOT IN (SELECT config_key FROM superseded);

-- Defaults of the schema script.
ALTER TABLE customer_info ALTER COLUMN status SET DEFAULT 'ACTIVE';
ALTER TABLE bill_inquiry_history ALTER COLUMN status SET DEFAULT 'PROCESSING';

-- Indexes of the schema script that we lacked. idx_cache_line_month serves a
-- lookup by line (all cached months of a line) where the primary key wants the
-- whole line:month key.
CREATE INDEX idx_cache_line_month ON bill_info_cache (line_number, inquiry_month);
CREATE INDEX idx_kos_history_request_time ON kos_inquiry_history (request_time DESC);
CREATE INDEX idx_config_active ON system_config (is_active);
CREATE INDEX idx_config_type ON system_config (config_type);

-- Every table and column described, with the meaning the design gives it.
COMMENT ON TABLE customer_info IS 'Customer basics cached from KOS (customer lookup for the bill menu)';
COMMENT ON COLUMN customer_info.customer_id IS 'Customer identifier';
COMMENT ON COLUMN customer_info.line_number IS 'Phone line number (010-NNNN-NNNN)';
COMMENT ON COLUMN customer_info.customer_name IS 'Customer name (encrypted: AES-256-GCM ciphertext with its key id)';
COMMENT ON COLUMN customer_info.status IS 'Customer status (ACTIVE, INACTIVE)';
COMMENT ON COLUMN customer_info.operator_code IS 'Operator (carrier) code';
COMMENT ON COLUMN customer_info.cached_at IS 'When the entry was cached';
COMMENT ON COLUMN customer_info.expires_at IS 'When the cached entry expires (bill.customer.cache.ttl.hours)';
COMMENT ON COLUMN customer_info.created_at IS 'Row creation time';
COMMENT ON COLUMN customer_info.updated_at IS 'Last update time (maintained by trigger)';

COMMENT ON TABLE bill_inquiry_history IS 'Bill inquiry requests from the MVNO to the MP, one row per request (partitioned monthly by request_time)';
COMMENT ON COLUMN bill_inquiry_history.id IS 'Surrogate key';
COMMENT ON COLUMN bill_inquiry_history.request_id IS 'Request identifier (UUIDv7)';
COMMENT ON COLUMN bill_inquiry_history.user_id IS 'User who made the request';
COMMENT ON COLUMN bill_inquiry_history.line_number IS 'Phone line number (010-NNNN-NNNN)';
COMMENT ON COLUMN bill_inquiry_history.inquiry_month IS 'Month inquired (YYYY-MM; null means the current month)';
COMMENT ON COLUMN bill_inquiry_history.request_time IS 'When the request arrived (the UUIDv7 timestamp of request_id; partition key)';
COMMENT ON COLUMN bill_inquiry_history.process_time IS 'When the request was finished (null while processing)';
COMMENT ON COLUMN bill_inquiry_history.status IS 'Processing status (PROCESSING, COMPLETED, FAILED, TIMEOUT)';
COMMENT ON COLUMN bill_inquiry_history.result_summary IS 'Result summary (조회 완료, 처리 중, 조회 실패; no bill data: the API adds product and amount from the encrypted bill)';
COMMENT ON COLUMN bill_inquiry_history.bill_info_json IS 'Bill information JSON (encrypted)';
COMMENT ON COLUMN bill_inquiry_history.error_message IS 'Why the request failed';
COMMENT ON COLUMN bill_inquiry_history.created_at IS 'Row creation time';
COMMENT ON COLUMN bill_inquiry_history.updated_at IS 'Last update time (maintained by trigger)';

COMMENT ON TABLE kos_inquiry_history IS 'Bill inquiry calls from the MP to KOS, one row per call with all its retries (partitioned monthly by request_time)';
COMMENT ON COLUMN kos_inquiry_history.id IS 'Surrogate key';
COMMENT ON COLUMN kos_inquiry_history.bill_request_id IS 'The bill inquiry request this call served (FK)';
COMMENT ON COLUMN kos_inquiry_history.bill_request_time IS 'request_time of that request (completes the FK to the partitioned history)';
COMMENT ON COLUMN kos_inquiry_history.line_number IS 'Phone line number (010-NNNN-NNNN)';
COMMENT ON COLUMN kos_inquiry_history.inquiry_month IS 'Month inquired (YYYY-MM)';
COMMENT ON COLUMN kos_inquiry_history.request_time IS 'When the call to KOS started (partition key)';
COMMENT ON COLUMN kos_inquiry_history.response_time IS 'When the call ended (answer, failure or timeout)';
COMMENT ON COLUMN kos_inquiry_history.result_code IS 'KOS result code';
COMMENT ON COLUMN kos_inquiry_history.result_message IS 'KOS result message';
COMMENT ON COLUMN kos_inquiry_history.kos_data_json IS 'KOS answer data JSON (encrypted)';
COMMENT ON COLUMN kos_inquiry_history.error_detail IS 'Error detail of a failed call';
COMMENT ON COLUMN kos_inquiry_history.retry_count IS 'Retries made';
COMMENT ON COLUMN kos_inquiry_history.circuit_breaker_state IS 'Circuit breaker state after the call (CLOSED, OPEN, HALF_OPEN)';
COMMENT ON COLUMN kos_inquiry_history.created_at IS 'Row creation time';
COMMENT ON COLUMN kos_inquiry_history.updated_at IS 'Last update time (maintained by trigger)';

COMMENT ON TABLE bill_info_cache IS 'Bill information fetched from KOS, cached (persistent copy behind the in-process and Redis caches)';
COMMENT ON COLUMN bill_info_cache.cache_key IS 'Cache key (line_number:inquiry_month)';
COMMENT ON COLUMN bill_info_cache.line_number IS 'Phone line number (010-NNNN-NNNN)';
COMMENT ON COLUMN bill_info_cache.inquiry_month IS 'Month of the bill (YYYY-MM)';
COMMENT ON COLUMN bill_info_cache.bill_info_json IS 'Bill information JSON (encrypted)';
COMMENT ON COLUMN bill_info_cache.cached_at IS 'When the entry was cached';
COMMENT ON COLUMN bill_info_cache.expires_at IS 'When the cached entry expires (bill.cache.ttl.hours)';
COMMENT ON COLUMN bill_info_cache.access_count IS 'Times the entry was read';
COMMENT ON COLUMN bill_info_cache.last_accessed_at IS 'When the entry was last read';

COMMENT ON TABLE system_config IS 'Bill-Inquiry service settings, read live by the running services';
COMMENT ON COLUMN system_config.config_key IS 'Setting key';
COMMENT ON COLUMN system_config.config_value IS 'Setting value';
COMMENT ON COLUMN system_config.description IS 'What the setting means';
COMMENT ON COLUMN system_config.config_type IS 'Setting type (STRING, INTEGER, BOOLEAN, JSON)';
COMMENT ON COLUMN system_config.is_active IS 'Whether the setting applies';
COMMENT ON COLUMN system_config.created_at IS 'Row creation time';
COMMENT ON COLUMN system_config.updated_at IS 'Last update time (maintained by trigger)';

-- Down Migration
DO $$
DECLARE t text; c text;
BEGIN
  FOR t IN SELECT unnest(ARRAY['customer_info', 'bill_inquiry_history', 'kos_inquiry_history', 'bill_info_cache', 'system_config']) LOOP
    EXECUTE format('COMMENT ON TABLE %I IS NULL', t);
    FOR c IN SELECT attname FROM pg_attribute WHERE attrelid = t::regclass AND attnum > 0 AND NOT attisdropped LOOP
      EXECUTE format('COMMENT ON COLUMN %I.%I IS NULL', t, c);
    END LOOP;
  END LOOP;
END $$;
DROP INDEX IF EXISTS idx_config_type;
DROP INDEX IF EXISTS idx_config_active;
DROP INDEX IF EXISTS idx_kos_history_request_time;
DROP INDEX IF EXISTS idx_cache_line_month;
ALTER TABLE bill_inquiry_history ALTER COLUMN status DROP DEFAULT;
ALTER TABLE customer_info ALTER COLUMN status DROP DEFAULT;
UPDATE system_config c SET config_key = r.old_key
FROM (VALUES
  ('customer.cache.ttl.hours', 'bill.customer.cache.ttl.hours'),
  ('kos.connect.timeout.ms', 'kos.connection.timeout.ms'),
  ('kos.retry.attempts', 'kos.retry.max.attempts'),
  ('kos.circuit.failure.threshold', 'circuit.breaker.failure.threshold'),
  ('kos.circuit.recovery.timeout.ms', 'circuit.breaker.recovery.timeout.ms'),
  ('kos.circuit.success.threshold', 'circuit.breaker.success.threshold'),
  ('mvno.connect.timeout.ms', 'mvno.connection.timeout.ms')
) AS r(old_key, new_key)
WHERE c.config_key = r.new_key;
