import { z } from 'zod';
import { azureSection } from './sections/azure.js';
import { backupSection } from './sections/backup.js';
import { clusterSection } from './sections/cluster.js';
import { databaseSection } from './sections/database.js';
import { monitorSection } from './sections/monitor.js';
import { haSection } from './sections/ha.js';
import { k8sSection } from './sections/k8s.js';
import { lbSection } from './sections/lb.js';
import { poolSection } from './sections/pool.js';
import { serverSection } from './sections/server.js';
import { serviceSection } from './sections/service.js';
import { systemConfigSection } from './sections/systemConfig.js';

/**
 * The one source of truth for every number of the plan. Each section documents
 * its keys, their defaults (the plan's values) and the plan section they come from.
 */
export const configSchema = z
  .object({
    /** Where clusters, certificates and secrets live (`--data-dir`). */
    dataDir: z.string().default('.data'),
    cluster: clusterSection.prefault({}),
    server: serverSection.prefault({}),
    database: databaseSection.prefault({}),
    pool: poolSection.prefault({}),
    systemConfig: systemConfigSection.prefault({}),
    service: serviceSection.prefault({}),
    ha: haSection.prefault({}),
    backup: backupSection.prefault({}),
    azure: azureSection.prefault({}),
    k8s: k8sSection.prefault({}),
    monitor: monitorSection.prefault({}),
    lb: lbSection.prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
