/**
 * pg_hba.conf: SCRAM everywhere; network connections only over TLS from the
 * allowed networks (§3.1, §3.2); anything else, including plain TCP, rejected.
 */
export function renderHba(allowedCidrs: readonly string[]): string {
  const lines = [
    '# Managed by bill-inquiry: edits are overwritten by `cluster up`.',
    'local   all          all                 scram-sha-256',
    'local   replication  all                 scram-sha-256',
  ];
  for (const cidr of allowedCidrs) {
    lines.push(`hostssl all          all  ${cidr}  scram-sha-256`);
    lines.push(`hostssl replication  all  ${cidr}  scram-sha-256`);
  }
  lines.push('hostnossl all        all  0.0.0.0/0   reject');
  lines.push('hostnossl all        all  ::/0        reject');
  lines.push('host    all          all  0.0.0.0/0   reject');
  lines.push('host    all          all  ::/0        reject');
  return `${lines.join('\n')}\n`;
}
