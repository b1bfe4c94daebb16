import type { KosProtocolName } from '../protocol.js';
import type { KosProtocolAdapter } from './adapter.js';
import { designAdapter } from './design.js';
import { phonebillKosMockAdapter } from './phonebillKosMock.js';

export type { KosProtocolAdapter } from './adapter.js';

const ADAPTERS: Record<KosProtocolName, KosProtocolAdapter> = {
  design: designAdapter,
  'phonebill-kos-mock': phonebillKosMockAdapter,
};

/** The adapter for `service.kosProtocol`. */
export const kosAdapter = (name: KosProtocolName): KosProtocolAdapter => ADAPTERS[name];
