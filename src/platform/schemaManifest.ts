/**
 * What the migrations must have produced (SPEC.md data design, plan §6.2):
 * the checker compares the live schema with this list.
 */
export const TABLES = [
  'bill_info_cache',
  'bill_inquiry_history',
  'customer_info',
  'kos_inquiry_history',
  'system_config',
] as const;

/** Tables whose updated_at a BEFORE UPDATE trigger maintains. */
export const UPDATED_AT_TABLES = [
  'customer_info',
  'bill_inquiry_history',
  'kos_inquiry_history',
  'system_config',
] as const;

export const INDEXES: Record<string, string> = {
  customer_info_pkey: 'customer_info',
  customer_info_line_number_key: 'customer_info',
  bill_inquiry_history_pkey: 'bill_inquiry_history',
  bill_inquiry_history_request_id_key: 'bill_inquiry_history',
  idx_bill_history_user_line: 'bill_inquiry_history',
  idx_bill_history_request_time: 'bill_inquiry_history',
  idx_bill_history_status: 'bill_inquiry_history',
  idx_bill_history_inquiry_month: 'bill_inquiry_history',
  kos_inquiry_history_pkey: 'kos_inquiry_history',
  idx_kos_history_bill_request: 'kos_inquiry_history',
  idx_kos_history_line_time: 'kos_inquiry_history',
  idx_kos_history_result_code: 'kos_inquiry_history',
  idx_kos_history_request_time: 'kos_inquiry_history',
  kos_inquiry_history_call_key: 'kos_inquiry_history',
  bill_info_cache_pkey: 'bill_info_cache',
  idx_bill_cache_expires_at: 'bill_info_cache',
  idx_cache_line_month: 'bill_info_cache',
  system_config_pkey: 'system_config',
  idx_config_active: 'system_config',
  idx_config_type: 'system_config',
};

/** Column defaults of phonebill's schema script that a DBA (and a hand-written INSERT) relies on. */
export const DEFAULTS: Array<{ table: string; column: string; value: string }> = [
  { table: 'customer_info', column: 'status', value: "'ACTIVE'" },
  { table: 'bill_inquiry_history', column: 'status', value: "'PROCESSING'" },
];
