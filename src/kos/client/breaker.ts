import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';

export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export interface BreakerSettings {
  failureThreshold: number;
  recoveryTimeoutMs: number;
  successThreshold: number;
  /** Rolling window in which failures count toward the threshold. */
  windowMs: number;
}

/** With every call in the window failing, opossum opens exactly at `volumeThreshold` (= failureThreshold) failures. */
const ERROR_PERCENTAGE = 50;

/**
 * opossum with the plan's three numbers. opossum opens once `volumeThreshold`
 * calls in its window failed at ≥ the error percentage — with every call
 * failing that is exactly `failureThreshold` failures — and goes half-open
 * after `resetTimeout`. It closes after ONE good trial; the plan wants
 * `successThreshold`, so after a close we stay on probation (reported as
 * HALF_OPEN) and any failure before that many successes re-opens at once.
 * New settings (system_config NOTIFY) rebuild the breaker and keep an open state.
 */
export class KosBreaker extends EventEmitter {
  private breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private probation = 0;

  constructor(private settings: BreakerSettings) {
    super();
    this.breaker = this.build(false);
  }

  state(): BreakerState {
    if (this.breaker.opened) return 'OPEN';
    if (this.breaker.halfOpen || this.probation > 0) return 'HALF_OPEN';
    return 'CLOSED';
  }

  /** Runs one attempt through the breaker; rejects with `BreakerOpenError` while open. */
  async fire<T>(attempt: () => Promise<T>): Promise<T> {
    return (await this.breaker.fire(attempt)) as T;
  }

  reconfigure(next: BreakerSettings): void {
    const same = (['failureThreshold', 'recoveryTimeoutMs', 'successThreshold', 'windowMs'] as const).every(
      (k) => next[k] === this.settings[k],
    );
    if (same) return;
    this.settings = next;
    const wasOpen = this.breaker.opened;
    this.breaker.shutdown();
    this.breaker = this.build(wasOpen);
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  private build(open: boolean): CircuitBreaker<[() => Promise<unknown>], unknown> {
    const b = new CircuitBreaker((attempt: () => Promise<unknown>) => attempt(), {
      timeout: false,
      resetTimeout: this.settings.recoveryTimeoutMs,
      volumeThreshold: this.settings.failureThreshold,
      errorThresholdPercentage: ERROR_PERCENTAGE,
      rollingCountTimeout: this.settings.windowMs,
      rollingCountBuckets: 10,
      rollingPercentilesEnabled: false,
    });
    b.on('open', () => {
      this.probation = 0;
      this.emit('state', 'OPEN');
    });
    b.on('halfOpen', () => this.emit('state', 'HALF_OPEN'));
    b.on('close', () => {
      // The trial that closed it is counted by the 'success' listener right after.
      this.probation = this.settings.successThreshold;
      this.emit('state', this.state());
    });
    b.on('success', () => {
      if (this.probation > 0 && !b.halfOpen) {
        this.probation -= 1;
        if (this.probation === 0) this.emit('state', 'CLOSED');
      }
    });
    // Only failures reach here: business answers resolve the attempt (KosClient), so they never count.
    b.on('failure', () => {
      if (this.probation > 0) b.open();
    });
    if (open) b.open();
    return b;
  }
}
