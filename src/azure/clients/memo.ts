/**
 * One answer per key for a while: long-running processes (`serve`'s /ops and
 * /metrics, `monitor serve`) take a snapshot every few seconds, while Azure
 * Monitor has a new point once a minute and ARM counts every read against the
 * subscription's throttling limit. A failed answer is not kept.
 */
export class Memo<T> {
  private readonly kept = new Map<string, { until: number; value: Promise<T> }>();

  get(key: string, ttlMs: number, fetch: () => Promise<T>): Promise<T> {
    const hit = this.kept.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = fetch();
    this.kept.set(key, { until: Date.now() + ttlMs, value });
    value.catch(() => this.kept.delete(key));
    return value;
  }
}
