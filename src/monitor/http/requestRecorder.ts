/**
 * Request durations of the last window, for the live p99 and request rate that
 * the alerts and the dashboard need without a Prometheus server to compute them.
 */
export class RequestRecorder {
  private samples: Array<{ at: number; ms: number }> = [];

  constructor(private readonly windowMs = 60_000) {}

  record(ms: number, at = Date.now()): void {
    this.samples.push({ at, ms });
    this.prune(at);
  }

  stats(now = Date.now()): { ratePerS: number; p99Ms: number | null; requests: number } {
    this.prune(now);
    const sorted = this.samples.map((s) => s.ms).sort((a, b) => a - b);
    const p99 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]! : null;
    return { ratePerS: sorted.length / (this.windowMs / 1000), p99Ms: p99, requests: sorted.length };
  }

  private prune(now: number): void {
    const cutoff = now - this.windowMs;
    let i = 0;
    while (i < this.samples.length && this.samples[i]!.at < cutoff) i++;
    if (i) this.samples.splice(0, i);
  }
}
