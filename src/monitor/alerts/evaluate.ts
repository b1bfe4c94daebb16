import type { Config } from '../../config/schema.js';
import { SEVERITY_RESPONSE, type AlertName, type Severity } from '../../config/sections/monitor.js';
import type { MonitorSnapshot } from '../snapshot.js';
import { ALERTS } from './definitions.js';

export interface AlertResult {
  name: AlertName;
  alert: string;
  title: string;
  firing: boolean;
  value?: number;
  threshold: number;
  unit: string;
  severity: Severity;
  severityLabel: string;
  /** §8.1 response for this alert. */
  action: string;
  /** §14.2 response for its severity. */
  response: string;
  detail: string;
}

/**
 * The tool's own evaluation of the §8.1 alerts on one snapshot, for users
 * without Prometheus. Instantaneous: Prometheus' `for:` windows do not apply.
 */
export function evaluateAlerts(cfg: Readonly<Config>, s: MonitorSnapshot): AlertResult[] {
  return ALERTS.filter((d) => cfg.monitor.alerts[d.name].enabled).map((d) => {
    const a = cfg.monitor.alerts[d.name];
    const m = d.evaluate(s, cfg);
    return {
      name: d.name,
      alert: d.alert,
      title: d.title,
      firing: m.firing,
      ...(m.value !== undefined && Number.isFinite(m.value) ? { value: round(m.value) } : {}),
      threshold: a.threshold,
      unit: d.unit,
      severity: a.severity,
      severityLabel: SEVERITY_RESPONSE[a.severity].label,
      action: a.action,
      response: SEVERITY_RESPONSE[a.severity].response,
      detail: m.detail,
    };
  });
}

const round = (n: number) => Math.round(n * 100) / 100;
