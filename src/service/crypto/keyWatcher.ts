import type { createLogger } from '../../log.js';
import { errorMessage } from '../../errors.js';
import type { ChannelHandler } from '../config/notifyListener.js';
import { KEY_ROTATED_CHANNEL, LISTEN_KEY_ROTATED } from '../db/sql/rotate.js';
import type { Keyring } from './keyring.js';

/**
 * Switches a running service to the key `keys rotate` made current: on each
 * `column_key_rotated` notification, and on every (re)connect of the listener
 * (a notification missed while disconnected is not lost). A key this host
 * cannot read is logged and the old key kept: requests never fail for it.
 */
export class KeyWatcher implements ChannelHandler {
  readonly channel = KEY_ROTATED_CHANNEL;
  readonly listen = LISTEN_KEY_ROTATED;

  constructor(
    private readonly keyring: Keyring,
    private readonly log: ReturnType<typeof createLogger>,
  ) {}

  async onConnect(): Promise<void> {
    this.check();
  }

  onNotify(): void {
    this.check();
  }

  private check(): void {
    const before = this.keyring.current.id;
    try {
      const { id, switched } = this.keyring.reload();
      if (switched)
        this.log.info(
          { keyId: id, previousKeyId: before },
          'column key rotated: new values are encrypted under the new key',
        );
    } catch (e) {
      this.log.error(
        { keyId: before, err: errorMessage(e) },
        "column key rotated, but the new current key cannot be read on this host; still encrypting under the old key — copy the new column-key-<kid> secret into this data dir's secrets (or set BILL_INQUIRY_SECRET_COLUMN_KEY_<KID>), then run `bill-inquiry keys rotate --resume`: it tells services again and re-encrypts what was written under the old key",
      );
    }
  }
}
