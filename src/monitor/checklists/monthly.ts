import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../../config/schema.js';
import { clientConfig } from '../../db/connection.js';
import { errorMessage } from '../../errors.js';
import { NON_SCRAM_ROLES, PRIVILEGED_ROLES } from '../db/sql/queries.js';
import { memberSources, type MemberSource } from '../members.js';
import type { MonitorSnapshot } from '../snapshot.js';
import { costEstimate } from './cost.js';
import { drPlanCheck } from './drPlan.js';
import { worst, type CheckItem } from './item.js';

/** §14.1 monthly_checklist. */
export async function monthlyChecks(cfg: Readonly<Config>, s: MonitorSnapshot): Promise<CheckItem[]> {
  return [performanceReview(cfg, s), costItem(cfg, s), drPlan(cfg), await securityAudit(cfg, s)];
}

function performanceReview(cfg: Readonly<Config>, s: MonitorSnapshot): CheckItem {
  const base = { id: 'performance', plan: '전체 시스템 성능 검토', title: 'system performance review' };
  const db = s.primary?.db;
  if (!db) return { ...base, status: 'fail', detail: 'no primary answers', action: 'start the cluster' };
  const min = cfg.monitor.checks.cacheHitRatioMinPercent;
  const low = db.databases.filter((d) => d.cache_hit_ratio !== null && d.cache_hit_ratio < min);
  const top = (db.slowStatements ?? [])
    .slice(0, 3)
    .map((q) => `${q.query.slice(0, 50)} (${q.calls} calls, mean ${q.mean_ms.toFixed(1)} ms)`);
  const unusedBytes = db.unusedIndexes.reduce((n, i) => n + i.size_bytes, 0);
  return {
    ...base,
    status: low.length ? 'warn' : 'pass',
    detail: [
      `cache hit ratio ${db.databases.map((d) => `${d.datname} ${d.cache_hit_ratio ?? 'n/a'} %`).join(', ')}`,
      top.length ? `top statements by total time: ${top.join(' | ')}` : 'pg_stat_statements: no data',
      `unused indexes ${db.unusedIndexes.length} (${(unusedBytes / 1024 ** 2).toFixed(1)} MB)`,
    ].join('; '),
    action: `raise shared_buffers / effective_cache_size for databases under ${min} %, tune the top statements, drop unused indexes`,
  };
}

/** §11.1 from the configured SKUs and storage (costEstimate), storage raised to the measured data when it outgrew the plan. */
function costItem(cfg: Readonly<Config>, s: MonitorSnapshot): CheckItem {
  const usedGb = (s.primary?.db?.databases.reduce((n, d) => n + d.size_bytes, 0) ?? 0) / 1024 ** 3;
  const e = costEstimate(cfg, usedGb);
  const usd = (n: number) => `$${n.toFixed(0)}`;
  const base = { id: 'cost', plan: '비용 최적화 기회 분석', title: 'cost estimate (§11.1)' };
  if (e.unpriced.length)
    return {
      ...base,
      status: 'warn',
      detail: `no price for ${e.unpriced.join(', ')} in monitor.cost.compute`,
      action: `add the SKU's monthly and 1-year reserved price to monitor.cost.compute`,
    };
  return {
    ...base,
    status: e.total > e.configuredTotal ? 'warn' : 'pass',
    detail: `${e.lines.map((l) => `${l.item} ${l.spec} ${usd(l.monthly)}`).join(', ')}; total ${usd(e.total)}/month (reserved instance ${usd(e.reservedTotal)}; configured ${usd(e.configuredTotal)}); measured data ${usedGb.toFixed(2)} GB of ${cfg.azure.storageGb} GB provisioned`,
    action:
      'storage outgrows the configuration: review retention (§9.1) and partition pruning; consider the 1-year reserved instance (§11.1)',
  };
}

const drPlan = (cfg: Readonly<Config>): CheckItem =>
  drPlanCheck(cfg.monitor.checks.drPlanFile, cfg.monitor.checks.drPlanMaxAgeDays);

/** Privileged roles, non-SCRAM passwords (superuser only) and pg_hba lines that allow non-TLS or weak methods. */
async function securityAudit(cfg: Readonly<Config>, s: MonitorSnapshot): Promise<CheckItem> {
  const base = { id: 'security-audit', plan: '보안 감사 수행', title: 'security audit' };
  const primary = (await memberSources(cfg)).find((m) => m.name === s.primary?.name);
  if (!primary) return { ...base, status: 'fail', detail: 'no primary answers', action: 'start the cluster' };
  const client = new pg.Client(clientConfig(primary.target()));
  await client.connect();
  const notes: string[] = [];
  const statuses: Array<'pass' | 'warn' | 'fail'> = [];
  try {
    const roles = (await client.query<{ rolname: string; rolsuper: boolean; rolcreaterole: boolean }>(PRIVILEGED_ROLES))
      .rows;
    const extra = roles.filter((r) => !cfg.monitor.checks.privilegedRoles.includes(r.rolname));
    statuses.push(extra.length ? 'fail' : 'pass');
    notes.push(
      extra.length
        ? `unexpected privileged roles: ${extra.map((r) => `${r.rolname}${r.rolsuper ? ' (superuser)' : ' (createrole)'}`).join(', ')}`
        : `privileged roles: ${roles.map((r) => r.rolname).join(', ') || 'none'}`,
    );
    try {
      const weak = (await client.query<{ rolname: string }>(NON_SCRAM_ROLES)).rows;
      statuses.push(weak.length ? 'fail' : 'pass');
      notes.push(
        weak.length ? `passwords not SCRAM: ${weak.map((r) => r.rolname).join(', ')}` : 'all passwords SCRAM-SHA-256',
      );
    } catch (e) {
      statuses.push('warn');
      notes.push(
        `password hashes not readable as ${cfg.monitor.connectAs} (${errorMessage(e)}): run with monitor.connectAs=superuser to audit them`,
      );
    }
  } finally {
    await client.end();
  }
  const hba = hbaFindings(primary);
  statuses.push(hba.length ? 'fail' : 'pass');
  notes.push(
    hba.length ? `pg_hba.conf: ${hba.join('; ')}` : 'pg_hba.conf: network access only via hostssl + scram-sha-256',
  );
  return {
    ...base,
    status: worst(...statuses),
    detail: notes.join('; '),
    action:
      'revoke unneeded SUPERUSER/CREATEROLE, reset non-SCRAM passwords, allow network access only with hostssl (§10.1, §3.2)',
  };
}

/** Lines that accept connections without TLS or with a weak method. */
function hbaFindings(member: MemberSource): string[] {
  if (!member.pgdata) return ['not on this machine (external database): audit pg_hba where the database runs'];
  const file = path.join(member.pgdata, 'pg_hba.conf');
  if (!existsSync(file)) return [`${file} not found`];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .flatMap((l) => {
      const f = l.split(/\s+/);
      const method = f[0] === 'local' ? f[3] : f[4];
      if (method === 'reject') return [];
      if (f[0] === 'host' || f[0] === 'hostnossl') return [`"${l}" accepts connections without TLS`];
      if (['trust', 'password', 'md5', 'ident'].includes(method ?? '')) return [`"${l}" uses ${method}`];
      return [];
    });
}
