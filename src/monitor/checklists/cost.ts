import type { Config } from '../../config/schema.js';

export interface CostLine {
  item: string;
  spec: string;
  monthly: number;
  reserved: number;
}

export interface CostEstimate {
  lines: CostLine[];
  total: number;
  reservedTotal: number;
  /** The total at the configured storage (what the configuration was sized for). */
  configuredTotal: number;
  /** GB billed: the configured storage, or the data when it outgrew it (auto-grow). */
  storageGb: number;
  /** Configured SKUs the price table has no price for. */
  unpriced: string[];
}

/**
 * §11.1 from the configuration: the price table (monitor.cost) applied to the
 * configured SKUs and storage, not the plan's totals. `usedGb` (measured data)
 * raises billed storage only when it exceeds the provisioned size.
 */
export function costEstimate(cfg: Readonly<Config>, usedGb = 0): CostEstimate {
  const a = cfg.azure;
  const c = cfg.monitor.cost;
  const unpriced: string[] = [];
  const compute = (item: string, sku: string, count: number): CostLine => {
    const price = c.compute[sku];
    if (!price) unpriced.push(sku);
    return { item, spec: sku, monthly: (price?.monthly ?? 0) * count, reserved: (price?.reserved1y ?? 0) * count };
  };
  const ha = a.highAvailability !== 'Disabled' && c.countStandbyAndReplicaStorage;
  const copies = c.countStandbyAndReplicaStorage ? 1 + (ha ? 1 : 0) + 1 : 1;
  const storage = (gb: number): CostLine => {
    const usd = gb * c.storagePerGbMonth * copies;
    return {
      item: `storage (${Math.ceil(gb)} GB${copies > 1 ? ` ×${copies}` : ''})`,
      spec: 'Premium SSD',
      monthly: usd,
      reserved: usd,
    };
  };
  const fixed = (item: string, spec: string, usd: number): CostLine => ({ item, spec, monthly: usd, reserved: usd });
  const at = (gb: number) => [
    compute(ha ? 'main server + HA standby' : 'main server', a.sku, ha ? 2 : 1),
    compute('read replica', a.replicaSku, 1),
    storage(gb),
    fixed('backup storage', a.geoRedundantBackup ? 'geo-redundant' : 'locally redundant', c.backupMonthly),
    fixed('networking', 'data transfer', c.networkMonthly),
  ];
  const storageGb = Math.max(a.storageGb, usedGb);
  const lines = at(storageGb);
  const sum = (ls: CostLine[], k: 'monthly' | 'reserved') => ls.reduce((n, l) => n + l[k], 0);
  return {
    lines,
    total: sum(lines, 'monthly'),
    reservedTotal: sum(lines, 'reserved'),
    configuredTotal: sum(at(a.storageGb), 'monthly'),
    storageGb,
    unpriced: [...new Set(unpriced)],
  };
}
