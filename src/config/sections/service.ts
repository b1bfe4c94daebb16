import { z } from 'zod';

/** The Bill-Inquiry HTTP service (`bill-inquiry serve`). */
export const serviceSection = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Real KOS base URL; when unset `serve` starts the bundled KOS mock in-process. */
  kosUrl: z.string().url().optional(),
});
export type ServiceConfig = z.infer<typeof serviceSection>;
