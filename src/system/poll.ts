import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export interface PollOptions {
  /** Give up after this long (ms). */
  timeoutMs: number;
  /** Pause between attempts (ms). */
  intervalMs: number;
  /**
   * Asked after every attempt that did not succeed: an error ends the wait at
   * once (e.g. the daemon being waited for has exited).
   */
  abort?: () => Error | undefined;
}

/**
 * The one polling loop: calls `check` every `intervalMs` until it returns a
 * value other than `undefined`/`false`, and resolves with that value; resolves
 * `undefined` when `timeoutMs` passes first. A `check` that throws counts as
 * "not yet" (a server still starting refuses connections); the last such error
 * is handed to `onTimeout` by `waitUntil`.
 */
export async function poll<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: PollOptions,
  onError?: (e: unknown) => void,
): Promise<T | undefined> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      onError?.(e);
    }
    const stop = opts.abort?.();
    if (stop) throw stop;
    if (Date.now() >= deadline) return undefined;
    await sleep(Math.min(opts.intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** `poll`, but running out of time throws the error `onTimeout` makes (given the last error `check` threw). */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: PollOptions & { onTimeout: (lastError?: unknown) => Error },
): Promise<T> {
  let last: unknown;
  const v = await poll(check, opts, (e) => (last = e));
  if (v === undefined) throw opts.onTimeout(last);
  return v;
}
