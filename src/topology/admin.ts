import type { ConnTarget } from '../db/connection.js';
import { BillInquiryError } from '../errors.js';
import { parseAdminUrl, ADMIN_URL_ENV } from './adminUrl.js';
import { inRecovery } from './locators.js';
import type { Topology } from './types.js';

/**
 * The admin (superuser) connection of the db commands: `--admin-url` (or
 * BILL_INQUIRY_ADMIN_URL) when given — with several hosts, the one that is
 * primary now —, else the topology's own superuser on its current primary
 * (plain: the local primary; ha: the Patroni leader).
 */
export async function adminTarget(topology: Topology, url?: string): Promise<{ target: ConnTarget; where: string }> {
  const raw = url || process.env[ADMIN_URL_ENV];
  if (!raw) {
    const target = await topology.admin();
    return { target, where: `the ${topology.kind} topology's primary ${target.host}:${target.port}` };
  }
  const { template, hosts } = parseAdminUrl(raw);
  if (hosts.length === 1)
    return { target: { ...template, ...hosts[0]! }, where: `${hosts[0]!.host}:${hosts[0]!.port}` };
  const timeoutMs = topology.cfg.database.connectTimeoutMs;
  const states = await Promise.all(hosts.map((h) => inRecovery({ ...template, ...h }, timeoutMs)));
  const i = states.indexOf(false);
  const list = hosts.map((h) => `${h.host}:${h.port}`);
  if (i < 0)
    throw new BillInquiryError(
      'NO_PRIMARY',
      `none of ${list.join(', ')} is a primary right now (${states.map((s, k) => `${list[k]}: ${s === undefined ? 'no answer' : 'in recovery'}`).join('; ')})`,
      'retry shortly (a failover may be in progress); check the host list and the password',
    );
  return { target: { ...template, ...hosts[i]! }, where: `${list[i]} (the primary of ${list.join(', ')})` };
}
