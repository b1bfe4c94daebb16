import type { HostStats } from './hostStats.js';
import type { ServerFigures } from './serverFigures.js';

/** One §8.1 usage figure of the database server, with where it comes from — or why there is none. */
export interface UsageFigure {
  value?: number;
  /** E.g. `CPU 12.0 %`, `storage 41.0 % (Azure Monitor storage_percent, 2026-12-06T22:58:00Z)`, or `not measured here: …`. */
  detail: string;
}

const pct = (n: number) => `${n.toFixed(1)} %`;

/**
 * CPU, memory or disk of the server: this machine's when it runs the server
 * (plain, ha), Azure Monitor's for an external Flexible Server, else nothing
 * with the reason.
 */
export function usageFigure(
  s: { host?: HostStats; server?: ServerFigures },
  which: 'cpu' | 'memory' | 'disk',
): UsageFigure {
  if (s.host) {
    const h = s.host;
    if (which === 'cpu') return { value: h.cpuPercent, detail: `CPU ${pct(h.cpuPercent)}` };
    if (which === 'memory') return { value: h.memoryPercent, detail: `memory ${pct(h.memoryPercent)}` };
    return { value: h.diskPercent, detail: `disk ${pct(h.diskPercent)} of ${h.diskPath}` };
  }
  const f = s.server;
  if (!f) return { detail: 'no data' };
  if (f.source === 'none') return { detail: `not measured here: ${f.notMeasured}` };
  const [label, metric, value] =
    which === 'cpu'
      ? ['CPU', 'cpu_percent', f.cpuPercent]
      : which === 'memory'
        ? ['memory', 'memory_percent', f.memoryPercent]
        : ['storage', 'storage_percent', f.storagePercent];
  if (value === undefined)
    return { detail: `${label}: no data — ${f.error ?? `Azure Monitor has no ${metric} point for ${f.resource} yet`}` };
  return { value, detail: `${label} ${pct(value)} (Azure Monitor ${metric}${f.at ? `, ${f.at}` : ''})` };
}
