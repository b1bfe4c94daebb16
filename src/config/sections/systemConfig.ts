import { z } from 'zod';
import { SYSTEM_CONFIG, type SeedName } from '../systemConfigTable.js';

/**
 * Seed values of the `system_config` table (data design). The service reads the
 * live table, so operators change these at run time; this is only the seed.
 * Keys are named as phonebill's schema script (bill-inquiry-schema.psql) names
 * them, so its runbooks apply; migration 1795900000000 renamed our old ones.
 * One key per row of SYSTEM_CONFIG (config/systemConfigTable.ts) that this
 * section seeds; the row's description is the key's (docs/configuration.md).
 */
export const systemConfigSection = z.object(
  Object.fromEntries(
    SYSTEM_CONFIG.flatMap((d) =>
      'systemConfig' in d.seed
        ? [
            [
              d.seed.systemConfig,
              z
                .number()
                .int()
                .min(d.min)
                .default(d.seed.default)
                .describe(`\`${d.key}\`: ${d.description} (${d.source}).`),
            ],
          ]
        : [],
    ),
  ) as Record<SeedName, z.ZodDefault<z.ZodNumber>>,
);
