import type { MockCase } from '../protocol.js';

/** What the protocol routes ask of the mock for one call. */
export interface MockContext {
  /**
   * Counts the call, applies the scenario's hang or latency (a design scenario
   * line's own delay instead), and says how to answer: a case, or `httpError`.
   */
  decide(kind: 'bill' | 'customer', digits: string, yyyymm?: string): Promise<MockCase | 'httpError'>;
  /** The current month YYYYMM in the mock's time zone. */
  currentMonth(): string;
}
