import type { EventEmitter } from 'node:events';

/**
 * What the monitor reads from the running service: the accessors of
 * src/service/runtime.ts `ServiceRuntime`, declared structurally so the
 * dependency stays one way (monitor → service runtime) and nothing else leaks in.
 */
export interface MonitoredRuntime {
  breakerState(): string;
  cacheStats(): { hits: number; misses: number; size: number };
  historyStats(): {
    queued: number;
    flushed: number;
    failedFlushes: number;
    lastFlushLagMs: number;
    deadLettered: number;
    journal?: {
      bytes: number;
      outstandingRows: number;
      appendedRows: number;
      writes: number;
      writeErrors: number;
      fsyncs: number;
      lastFsyncMs: number;
      replayedRows: number;
      replayPendingSegments: number;
    };
  };
  poolStats(): Record<string, { total: number; idle: number; waiting: number }>;
  /** What the supervisor of the PostgreSQL this process started has done; undefined when it supervises nothing. */
  supervisionStats?(): { restarts: number; failedAttempts: number; down: string[] } | undefined;
  /** Emits 'kosCall' {durationMs, outcome, resultCode?}. */
  events: EventEmitter;
}

export interface KosCallEvent {
  durationMs: number;
  outcome: string;
  resultCode?: string;
}

/** Service figures at one instant (for alerts, checklists and the dashboard). */
export interface ServiceSnapshot {
  breaker: string;
  cache: { hits: number; misses: number; size: number; hitRatio: number | null };
  history: { queued: number; flushed: number; failedFlushes: number; lastFlushLagMs: number };
  pools: Record<string, { total: number; idle: number; waiting: number }>;
  http: { ratePerS: number; p99Ms: number | null; requests: number };
}

/** The breaker reports OPEN / HALF_OPEN / CLOSED (opossum's states, upper-cased by the KOS client). */
export const isOpen = (state: string): boolean => state.toUpperCase() === 'OPEN';
