import pino, { type Logger } from 'pino';

/**
 * Structured logs with personal data masked (plan §10: customer name, line
 * numbers and bill contents never reach a log in clear).
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'customerName',
  '*.customerName',
  'customer_name',
  '*.customer_name',
  'billInfo',
  '*.billInfo',
  'authorization',
  'req.headers.authorization',
  '*.secret',
];

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino(
    {
      name: opts.name ?? 'bill-inquiry',
      level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[masked]' },
    },
    // stderr: stdout belongs to command results (`--json` must stay parseable).
    pino.destination(2),
  );
}

/** 010-1234-5678 → 010-****-5678: enough to correlate, not enough to identify. */
export function maskLine(line: string): string {
  const digits = line.replace(/\D/g, '');
  if (digits.length < 8) return '****';
  return `${digits.slice(0, 3)}-****-${digits.slice(-4)}`;
}
