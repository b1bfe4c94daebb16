/** What a `pgbench` run printed (PostgreSQL 13–17 output), as numbers. */
export interface PgbenchFigures {
  version: string | null;
  scale: number | null;
  clients: number | null;
  threads: number | null;
  durationS: number | null;
  transactions: number;
  failedTransactions: number;
  latencyAvgMs: number;
  latencyStddevMs: number | null;
  initialConnectionMs: number | null;
  /** Transactions per second, the connection setup excluded (what pgbench reports since 14). */
  tps: number;
}

const num = (text: string, re: RegExp): number | null => {
  const m = re.exec(text);
  return m ? Number(m[1]) : null;
};

/** Parses pgbench's summary; undefined when the text holds no tps line (the run did not finish). */
export function parsePgbench(text: string): PgbenchFigures | undefined {
  const tps = num(text, /^tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)/m);
  const latency = num(text, /^latency average = ([\d.]+) ms/m);
  const transactions = num(text, /^number of transactions actually processed: (\d+)/m);
  if (tps === null || latency === null || transactions === null) return undefined;
  return {
    version: /^pgbench \((.+)\)$/m.exec(text)?.[1] ?? null,
    scale: num(text, /^scaling factor: (\d+)/m),
    clients: num(text, /^number of clients: (\d+)/m),
    threads: num(text, /^number of threads: (\d+)/m),
    durationS: num(text, /^duration: (\d+) s/m),
    transactions,
    failedTransactions: num(text, /^number of failed transactions: (\d+)/m) ?? 0,
    latencyAvgMs: latency,
    latencyStddevMs: num(text, /^latency stddev = ([\d.]+) ms/m),
    initialConnectionMs: num(text, /^initial connection time = ([\d.]+) ms/m),
    tps,
  };
}
