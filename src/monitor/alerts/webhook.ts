import { BillInquiryError } from '../../errors.js';
import type { AlertResult } from './evaluate.js';

/**
 * POSTs the firing alerts as JSON (Alertmanager-webhook-like: status, alerts with
 * labels and annotations) so chat or paging tools can receive them.
 */
export async function sendWebhook(url: string, firing: AlertResult[], timeoutMs = 10_000): Promise<void> {
  const body = {
    status: firing.length ? 'firing' : 'resolved',
    alerts: firing.map((a) => ({
      status: 'firing',
      labels: { alertname: a.alert, severity: String(a.severity) },
      annotations: { summary: `${a.title}: ${a.detail}`, action: a.action, response: a.response },
    })),
  };
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new BillInquiryError(
      'WEBHOOK_FAILED',
      `alert webhook ${url} unreachable: ${(e as Error).message}`,
      'check the URL and the network',
      { cause: e },
    );
  }
  if (!res.ok)
    throw new BillInquiryError('WEBHOOK_FAILED', `alert webhook ${url} answered ${res.status}`, 'check the receiver');
}
