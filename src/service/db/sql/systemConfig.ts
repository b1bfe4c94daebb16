export const SELECT_ACTIVE_CONFIG = `SELECT config_key, config_value FROM system_config WHERE is_active`;
export const LISTEN_CONFIG = `LISTEN system_config_changed`;
