/**
 * One autocannon run in its own process (so the load generator does not share
 * the service's event loop). Reads a job file, prints the result JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadJob {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  connections: number;
  durationS: number;
  headers?: Record<string, string>;
  body?: string;
  /** Cache-miss mode: each request takes the next (token, line) pair and month, so no two ask the same bill. */
  misses?: { pairs: Array<{ token: string; line: string }>; months: string[] };
}

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadJob;
let n = 0;
const setupRequest = job.misses
  ? (req: any) => {
      const { pairs, months } = job.misses!;
      const i = n++;
      const pair = pairs[i % pairs.length]!;
      const month = months[Math.floor(i / pairs.length) % months.length]!;
      return {
        ...req,
        headers: { ...req.headers, authorization: `Bearer ${pair.token}` },
        body: JSON.stringify({ lineNumber: pair.line, inquiryMonth: month }),
      };
    }
  : undefined;

const cpuBefore = process.cpuUsage();
const result = await autocannon({
  url: job.url,
  connections: job.connections,
  duration: job.durationS,
  timeout: 10,
  requests: [
    {
      method: job.method,
      path: job.path,
      headers: { 'content-type': 'application/json', ...job.headers },
      body: job.body,
      ...(setupRequest ? { setupRequest } : {}),
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    rps: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    ok2xx: result['2xx'],
    /** The load generator's own CPU seconds while it ran (it shares the machine with the service). */
    cpuS: (() => {
      const used = process.cpuUsage(cpuBefore);
      return (used.user + used.system) / 1e6;
    })(),
  }),
);
