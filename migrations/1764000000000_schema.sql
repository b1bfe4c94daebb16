-- Up Migration
-- Bill-Inquiry schema (data design in SPEC.md; plan §6).
--
-- Partitioning decision (both history tables, monthly RANGE on request_time):
--   PostgreSQL requires every unique constraint of a partitioned table to
--   include the partition key, so `request_id UNIQUE` alone is impossible.
--   request_id is a UUIDv7 and request_time is, by CHECK, exactly the
--   millisecond timestamp embedded in it. request_time is therefore a function
--   of request_id, and UNIQUE (request_id, request_time) is as strong as
--   UNIQUE (request_id) — at no extra cost, and a lookup by request_id alone
--   prunes to one partition (WHERE request_time = uuid_v7_time($1)).
--   kos_inquiry_history carries bill_request_time so its foreign key can
--   reference that composite key with ON DELETE CASCADE. Retention drops KOS
--   partitions (365 days) long before bill partitions (730 days), so a bill
--   partition is never referenced when it is detached and dropped.
--
-- Sensitive columns (customer_name, bill_info_json) hold AES-256-GCM
-- ciphertext made by the application (key id inside each value), so
-- customer_name is text: its 100-character limit applies to the plaintext
-- and is enforced by the service.

CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;

-- Millisecond timestamp of a UUIDv7 (its first 48 bits), exact integer math.
CREATE FUNCTION uuid_v7_time(id text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT timestamptz 'epoch'
       + ('x' || lpad(substr(replace(id, '-', ''), 1, 12), 16, '0'))::bit(64)::bigint * interval '1 millisecond'
$$;

CREATE TABLE customer_info (
  customer_id   varchar(50)  PRIMARY KEY,
  line_number   varchar(20)  NOT NULL UNIQUE,
  customer_name text         NOT NULL,
  status        varchar(10)  NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE')),
  operator_code varchar(10)  NOT NULL,
  cached_at     timestamptz  NOT NULL DEFAULT now(),
  expires_at    timestamptz  NOT NULL,
  created_at    timestamptz  NOT NULL DEFAULT now(),
  updated_at    timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE bill_inquiry_history (
  id             bigserial,
  request_id     varchar(50)  NOT NULL,
  user_id        varchar(50)  NOT NULL,
  line_number    varchar(20)  NOT NULL,
  inquiry_month  varchar(7)   CHECK (inquiry_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  request_time   timestamptz  NOT NULL,
  process_time   timestamptz,
  status         varchar(20)  NOT NULL CHECK (status IN ('PROCESSING', 'COMPLETED', 'FAILED', 'TIMEOUT')),
  result_summary text,
  bill_info_json jsonb,
  error_message  text,
  created_at     timestamptz  NOT NULL DEFAULT now(),
  updated_at     timestamptz  NOT NULL DEFAULT now(),
  CONSTRAINT bill_inquiry_history_pkey PRIMARY KEY (id, request_time),
  CONSTRAINT bill_inquiry_history_request_id_key UNIQUE (request_id, request_time),
  CONSTRAINT bill_inquiry_history_request_time_from_id CHECK (request_time = uuid_v7_time(request_id))
) PARTITION BY RANGE (request_time);

CREATE INDEX idx_bill_history_user_line ON bill_inquiry_history (user_id, line_number, request_time DESC);
CREATE INDEX idx_bill_history_request_time ON bill_inquiry_history (request_time DESC);
CREATE INDEX idx_bill_history_status ON bill_inquiry_history (status);
CREATE INDEX idx_bill_history_inquiry_month ON bill_inquiry_history (inquiry_month);

CREATE TABLE kos_inquiry_history (
  id                    bigserial,
  bill_request_id       varchar(50)  NOT NULL,
  bill_request_time     timestamptz  NOT NULL,
  line_number           varchar(20)  NOT NULL,
  inquiry_month         varchar(7)   CHECK (inquiry_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  request_time          timestamptz  NOT NULL DEFAULT now(),
  response_time         timestamptz,
  result_code           varchar(10),
  result_message        text,
  kos_data_json         jsonb,
  error_detail          text,
  retry_count           integer      NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
  circuit_breaker_state varchar(10)  NOT NULL DEFAULT 'CLOSED' CHECK (circuit_breaker_state IN ('CLOSED', 'OPEN', 'HALF_OPEN')),
  created_at            timestamptz  NOT NULL DEFAULT now(),
  updated_at            timestamptz  NOT NULL DEFAULT now(),
  CONSTRAINT kos_inquiry_history_pkey PRIMARY KEY (id, request_time),
  CONSTRAINT kos_inquiry_history_bill_request_fkey FOREIGN KEY (bill_request_id, bill_request_time)
    REFERENCES bill_inquiry_history (request_id, request_time) ON DELETE CASCADE
) PARTITION BY RANGE (request_time);

CREATE INDEX idx_kos_history_bill_request ON kos_inquiry_history (bill_request_id, bill_request_time);
CREATE INDEX idx_kos_history_line_time ON kos_inquiry_history (line_number, request_time DESC);
CREATE INDEX idx_kos_history_result_code ON kos_inquiry_history (result_code);

CREATE TABLE bill_info_cache (
  cache_key        varchar(40)  PRIMARY KEY,
  line_number      varchar(20)  NOT NULL,
  inquiry_month    varchar(7)   NOT NULL CHECK (inquiry_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  bill_info_json   jsonb        NOT NULL,
  cached_at        timestamptz  NOT NULL DEFAULT now(),
  expires_at       timestamptz  NOT NULL,
  access_count     integer      NOT NULL DEFAULT 1 CHECK (access_count > 0),
  last_accessed_at timestamptz  NOT NULL DEFAULT now(),
  CONSTRAINT bill_info_cache_key_format CHECK (cache_key = line_number || ':' || inquiry_month)
);

CREATE INDEX idx_bill_cache_expires_at ON bill_info_cache (expires_at);

CREATE TABLE system_config (
  config_key   varchar(100) PRIMARY KEY,
  config_value text         NOT NULL,
  description  text,
  config_type  varchar(10)  NOT NULL DEFAULT 'STRING' CHECK (config_type IN ('STRING', 'INTEGER', 'BOOLEAN', 'JSON')),
  is_active    boolean      NOT NULL DEFAULT true,
  created_at   timestamptz  NOT NULL DEFAULT now(),
  updated_at   timestamptz  NOT NULL DEFAULT now()
);

CREATE TRIGGER customer_info_updated_at BEFORE UPDATE ON customer_info FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER bill_inquiry_history_updated_at BEFORE UPDATE ON bill_inquiry_history FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER kos_inquiry_history_updated_at BEFORE UPDATE ON kos_inquiry_history FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER system_config_updated_at BEFORE UPDATE ON system_config FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Running services apply system_config changes without restart: they LISTEN here.
CREATE FUNCTION notify_system_config_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('system_config_changed', COALESCE(NEW.config_key, OLD.config_key));
  RETURN NULL;
END $$;

CREATE TRIGGER system_config_changed AFTER INSERT OR UPDATE OR DELETE ON system_config
  FOR EACH ROW EXECUTE FUNCTION notify_system_config_changed();

-- Down Migration
DROP TABLE IF EXISTS kos_inquiry_history;
DROP TABLE IF EXISTS bill_inquiry_history;
DROP TABLE IF EXISTS bill_info_cache;
DROP TABLE IF EXISTS customer_info;
DROP TABLE IF EXISTS system_config;
DROP FUNCTION IF EXISTS notify_system_config_changed();
DROP FUNCTION IF EXISTS uuid_v7_time(text);
DROP FUNCTION IF EXISTS set_updated_at();
