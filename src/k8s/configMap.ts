import { ConfigMap } from 'kubernetes-models/v1';
import type { Config } from '../config/schema.js';
import { CONFIG_FILE, labels, objectNames } from './names.js';

/**
 * The non-secret settings: the whole effective configuration as the config
 * file (the one source of every figure), mounted read-only and named by
 * BILL_INQUIRY_CONFIG. The image's environment sets what is the container's
 * own (data dir, listening on all interfaces), so the local paths of the
 * machine that rendered it are left out.
 */
export function configMap(cfg: Readonly<Config>): ConfigMap {
  const k = cfg.k8s;
  const { dataDir: _local, ...settings } = cfg;
  const service = { ...settings.service };
  delete (service as { host?: string }).host;
  return new ConfigMap({
    metadata: { name: objectNames(k).config, namespace: k.namespace, labels: labels(k) },
    data: { [CONFIG_FILE]: `${JSON.stringify({ ...settings, service }, null, 2)}\n` },
  });
}
