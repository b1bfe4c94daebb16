/**
 * Where a process's CPU went, from a V8 .cpuprofile (node --cpu-prof): self
 * time per function and per package/area (self, and inclusive: samples with
 * the area anywhere on the stack), as shares of the non-idle time. Open the
 * .cpuprofile itself in Chrome DevTools (Performance → Load profile) or
 * speedscope.app for the flame graph.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  pct: number;
}

export interface ProfileSummary {
  /** Busy (non-idle) time in the profile, ms. */
  busyMs: number;
  /** Share of the profile's wall time the process was idle. */
  idlePct: number;
  topSelf: ProfileRow[];
  /** Self time per package or source area. */
  areasSelf: ProfileRow[];
  /** Samples with the area anywhere on the stack (sums exceed 100). */
  areasInclusive: ProfileRow[];
  /** Functions of our code and of packages, with everything they called (node internals left out). */
  topInclusive: ProfileRow[];
}

/** A window to keep, in ms counted back from the profile's end (the process exit), e.g. the measured run. */
export interface ProfileWindow {
  fromEndMs: number;
  toEndMs: number;
}

/** Package (node_modules), source area (src/<dir>), node built-in module, or V8's own buckets. */
export function areaOf(cf: CallFrame): string {
  const { functionName: fn, url } = cf;
  if (fn === '(garbage collector)') return 'V8 garbage collector';
  if (fn === '(program)') return 'V8/native (unattributed)';
  if (fn === '(idle)' || fn === '(root)') return fn;
  if (!url) return 'native/builtin';
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([^/]+)/.exec(url);
    return `node:${m?.[1] ?? url}`;
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const src = /\/(src|bench)\/([^/]+)/.exec(url);
  if (src) return src[1] === 'bench' ? 'bench' : `src/${src[2]}`;
  return url;
}

const shortUrl = (url: string) =>
  url
    .replace(/^.*node_modules\//, '')
    .replace(/^.*\/(src|bench)\//, '$1/')
    .replace(/^file:\/\//, '');

const fnKey = (cf: CallFrame) =>
  cf.url ? `${cf.functionName || '(anonymous)'} ${shortUrl(cf.url)}:${cf.lineNumber + 1}` : cf.functionName;

const top = (m: Map<string, number>, busy: number, n: number): ProfileRow[] =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, t]) => ({ name, pct: Math.round((1000 * t) / busy) / 10 }));

/**
 * Summarizes a profile; with `window`, only the samples taken in it (startup,
 * warm-up and shutdown left out).
 */
export function summarizeProfile(file: string, window?: ProfileWindow, topN = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  // Sample times (µs, the profile's clock): the deltas accumulate from startTime.
  const at: number[] = [];
  let t = p.startTime;
  for (const d of p.timeDeltas) at.push((t += d));
  const keep = (i: number) =>
    !window || (at[i]! >= p.endTime - window.fromEndMs * 1000 && at[i]! <= p.endTime - window.toEndMs * 1000);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // A sample stands for the time until the next one.
  const weight = (i: number) => p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0;
  const self = new Map<string, number>();
  const areaSelf = new Map<string, number>();
  const areaIncl = new Map<string, number>();
  const fnIncl = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  p.samples.forEach((id, i) => {
    if (!keep(i)) return;
    const w = weight(i);
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idle += w;
      return;
    }
    busy += w;
    const key = fnKey(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + w);
    const area = areaOf(node.callFrame);
    areaSelf.set(area, (areaSelf.get(area) ?? 0) + w);
    const seen = new Set<string>();
    const fns = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const cf = byId.get(n)!.callFrame;
      seen.add(areaOf(cf));
      if (cf.url && !cf.url.startsWith('node:')) fns.add(fnKey(cf));
    }
    seen.delete('(root)');
    for (const a of seen) areaIncl.set(a, (areaIncl.get(a) ?? 0) + w);
    for (const f of fns) fnIncl.set(f, (fnIncl.get(f) ?? 0) + w);
  });
  return {
    busyMs: Math.round(busy / 1000),
    idlePct: Math.round((1000 * idle) / Math.max(1, idle + busy)) / 10,
    topSelf: top(self, busy, topN),
    areasSelf: top(areaSelf, busy, topN),
    areasInclusive: top(areaIncl, busy, topN),
    topInclusive: top(fnIncl, busy, topN + 15),
  };
}

export function renderProfile(title: string, s: ProfileSummary, rows = 25): string {
  const table = (head: string, all: ProfileRow[]) =>
    [
      `| ${head} | % of busy |`,
      '|---|---|',
      ...all.slice(0, rows).map((r) => `| ${r.name.replace(/\|/g, '\\|')} | ${r.pct} |`),
    ].join('\n');
  return [
    `## ${title}`,
    '',
    `Busy ${s.busyMs} ms (idle ${s.idlePct} % of the profiled window).`,
    '',
    table('area (self)', s.areasSelf),
    '',
    table('area (inclusive: anywhere on the stack)', s.areasInclusive),
    '',
    table('function (self)', s.topSelf),
    '',
    table('function (inclusive: with what it called; node internals left out)', s.topInclusive),
    '',
  ].join('\n');
}

if (process.argv[1]?.endsWith('profile.ts') && process.argv[2]) {
  for (const f of process.argv.slice(2)) process.stdout.write(`${renderProfile(f, summarizeProfile(f))}\n`);
}
