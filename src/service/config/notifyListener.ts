import pg from 'pg';
import type { Config } from '../../config/schema.js';
import { clientConfig, type PoolTarget } from '../../db/connection.js';
import type { createLogger } from '../../log.js';
import type { DbLocator } from '../../topology/types.js';
import { safeError } from '../logSafe.js';

/** What one NOTIFY channel's subscriber does. */
export interface ChannelHandler {
  channel: string;
  /** The LISTEN statement (a named SQL constant). */
  listen: string;
  /** After every (re)connect and LISTEN: catch up on notifications missed while disconnected. */
  onConnect(client: pg.Client): Promise<void>;
  onNotify(client: pg.Client, payload: string | undefined): void;
}

/**
 * One dedicated connection to the primary that LISTENs on every handler's
 * channel and dispatches notifications; re-established (asking the locator
 * again) `service.history.retryDelayMs` after any error.
 */
export class NotifyListener {
  private readonly handlers: ChannelHandler[] = [];
  private client?: pg.Client;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly cfg: Readonly<Config>,
    /** Role, database, TLS and the password (a string, or a function pg calls per new connection). */
    private readonly template: Omit<PoolTarget, 'host' | 'port'>,
    private readonly locator: DbLocator,
    private readonly log: ReturnType<typeof createLogger>,
  ) {}

  /** Before start(). */
  add(handler: ChannelHandler): void {
    this.handlers.push(handler);
  }

  async start(): Promise<void> {
    await this.connect().catch((e: unknown) => this.scheduleReconnect(e));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const ep = await this.locator.primary();
    const client = new pg.Client(
      clientConfig({ ...this.template, ...ep, applicationName: 'bill-inquiry-service-listen' }),
    );
    client.on('error', (e) => this.scheduleReconnect(e));
    client.on('end', () => this.scheduleReconnect(new Error('listen connection ended')));
    client.on('notification', (n) => this.handlers.find((h) => h.channel === n.channel)?.onNotify(client, n.payload));
    await client.connect();
    // stop() may have run while this (re)connect was under way: a connection made after it
    // would never be closed and would keep the process from exiting.
    if (this.stopped) return void (await client.end().catch(() => undefined));
    this.client = client;
    for (const h of this.handlers) await client.query(h.listen);
    for (const h of this.handlers) await h.onConnect(client);
  }

  private scheduleReconnect(e: unknown): void {
    if (this.stopped || this.retry) return;
    this.log.warn(
      { err: safeError(e), channels: this.handlers.map((h) => h.channel) },
      'notification listener lost; reconnecting',
    );
    const old = this.client;
    this.client = undefined;
    void old?.end().catch(() => undefined);
    this.locator.invalidate?.();
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect().catch((err: unknown) => this.scheduleReconnect(err));
    }, this.cfg.service.history.retryDelayMs);
    this.retry.unref();
  }
}
