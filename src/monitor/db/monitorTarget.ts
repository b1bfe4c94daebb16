import type { Config } from '../../config/schema.js';
import type { ConnTarget } from '../../db/connection.js';
import { BillInquiryError } from '../../errors.js';
import { roleSecretName } from '../../platform/roleTargets.js';
import { SecretStore } from '../../system/secrets.js';
import type { Member, Topology } from '../../topology/types.js';

/**
 * The connection the collector uses on one member: the plan's monitoring role
 * (`bill_readonly_user`, member of pg_monitor) unless the config explicitly asks
 * for the local superuser (`monitor.connectAs = superuser`). Monitoring never
 * creates secrets: a missing role password means `db apply` has not run.
 */
export function monitorTarget(cfg: Readonly<Config>, topology: Topology, member: Member): ConnTarget {
  const database = cfg.monitor.database ?? cfg.database.name;
  const app = { applicationName: 'bill-inquiry-monitor' };
  if (cfg.monitor.connectAs === 'superuser') return { ...topology.memberAdmin(member, database), ...app };
  const user = cfg.database.roles.readonly;
  const password = new SecretStore(cfg.dataDir).peek(roleSecretName(cfg, 'readonly'));
  if (!password) {
    throw new BillInquiryError(
      'MONITOR_NO_ROLE',
      `no password for the monitoring role ${user} in ${cfg.dataDir}/secrets`,
      'run `bill-inquiry db apply` (creates the role with pg_monitor), or set monitor.connectAs=superuser',
    );
  }
  return { ...topology.connection(member.endpoint, database, user, password), ...app };
}
