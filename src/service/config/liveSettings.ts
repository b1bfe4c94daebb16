import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Config } from '../../config/schema.js';
import { applyLiveRow, seedLiveSettings, type LiveSettings } from '../../config/systemConfigTable.js';
import type { createLogger } from '../../log.js';
import { LISTEN_CONFIG, SELECT_ACTIVE_CONFIG } from '../db/sql/systemConfig.js';
import { safeError } from '../logSafe.js';
import type { ChannelHandler } from './notifyListener.js';

export type { LiveSettings } from '../../config/systemConfigTable.js';

/** The seeds (cfg.systemConfig): what applies until the table has been read. */
export const seedSettings = (cfg: Readonly<Config>): LiveSettings => seedLiveSettings(cfg.systemConfig);

/**
 * system_config, live: read when the listener connects and again whenever the
 * table's trigger NOTIFYs `system_config_changed` (NotifyListener: a dedicated
 * connection to the primary, re-established after errors). Emits 'change'
 * with the new settings.
 */
export class LiveConfig extends EventEmitter implements ChannelHandler {
  /** The channel LISTEN_CONFIG subscribes to (the system_config trigger's pg_notify). */
  readonly channel = 'system_config_changed';
  readonly listen = LISTEN_CONFIG;
  settings: LiveSettings;

  constructor(
    private readonly cfg: Readonly<Config>,
    private readonly log: ReturnType<typeof createLogger>,
  ) {
    super();
    this.settings = seedSettings(cfg);
  }

  onConnect(client: pg.Client): Promise<void> {
    return this.reload(client);
  }

  onNotify(client: pg.Client): void {
    void this.reload(client).catch((e: unknown) => this.log.warn({ err: safeError(e) }, 'system_config reload failed'));
  }

  private async reload(client: pg.Client): Promise<void> {
    const { rows } = await client.query<{ config_key: string; config_value: string }>(SELECT_ACTIVE_CONFIG);
    const next = seedSettings(this.cfg);
    for (const r of rows) applyLiveRow(next, r.config_key, r.config_value);
    this.settings = next;
    this.emit('change', next);
  }
}
