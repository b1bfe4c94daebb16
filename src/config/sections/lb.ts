import { z } from 'zod';

const endpoint = z.object({
  /** The instance's address as HAProxy reaches it. */
  host: z.string(),
  /** Its service.port. */
  port: z.number().int().min(1).max(65535),
});

/**
 * HAProxy in front of several service instances (`bill-inquiry lb config`
 * renders its haproxy.cfg): health checks on GET /accepting, loopback by default.
 * Each instance should run with service.shutdownDrainMs above
 * checkIntervalMs × fall, so a stopping instance leaves the pool before it
 * closes its listener.
 */
export const lbSection = z.object({
  /** Where HAProxy accepts clients. */
  host: z.string().default('127.0.0.1'),
  /** HAProxy's client port. */
  port: z.number().int().min(1).max(65535).default(8000),
  /** The service instances (`serve` on each machine, or several on one with different ports). */
  instances: z
    .array(endpoint)
    .min(1)
    .default([{ host: '127.0.0.1', port: 8080 }]),
  /** GET /accepting every this many ms per instance. */
  checkIntervalMs: z.number().int().positive().default(500),
  /** Failed checks before an instance is taken out. */
  fall: z.number().int().positive().default(2),
  /** Successful checks before a taken-out instance is back in. */
  rise: z.number().int().positive().default(2),
  /** A connection to an instance not made within this counts as failed (HAProxy tries the next). */
  connectTimeoutMs: z.number().int().positive().default(2000),
  /** Longest a client request may take: above the service's 202 PROCESSING switch (service.processingAfterMs). */
  requestTimeoutMs: z.number().int().positive().default(30_000),
  /** HAProxy's maxconn: above the plan's 1,000 concurrent users (§7.2) with room for bursts. */
  maxConnections: z.number().int().positive().default(4096),
});
export type LbConfig = z.infer<typeof lbSection>;
