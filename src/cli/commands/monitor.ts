import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import Fastify from 'fastify';
import { evaluateAlerts, type AlertResult } from '../../monitor/alerts/evaluate.js';
import { prometheusRules } from '../../monitor/alerts/promRules.js';
import { sendWebhook } from '../../monitor/alerts/webhook.js';
import { opsAdminToken } from '../../monitor/http/adminToken.js';
import { monitoringPlugins } from '../../monitor/http/monitoringPlugins.js';
import { collectSnapshot } from '../../monitor/snapshot.js';
import { BillInquiryError } from '../../errors.js';
import { commandConfig, globals, intOption } from '../context.js';
import { emit, progress } from '../output.js';

export function registerMonitorCommands(program: Command): void {
  const monitor = program
    .command('monitor')
    .description('database and host metrics, alerts (plan §8) and the /ops dashboard');

  monitor
    .command('serve')
    .description('serve /metrics (Prometheus) and the /ops dashboard for the local cluster on 127.0.0.1')
    .option('-p, --port <port>', 'listen port (default monitor.port, 9187)', intOption('--port'))
    .action(async (opts: { port?: number }, cmd: Command) => {
      const cfg = commandConfig(cmd, opts.port !== undefined ? { monitor: { port: opts.port } } : {});
      const app = Fastify({ logger: false });
      for (const plugin of monitoringPlugins(cfg, undefined, { database: true })) await app.register(plugin);
      const url = await app.listen({ host: '127.0.0.1', port: cfg.monitor.port }).catch((e: Error) => {
        throw new BillInquiryError(
          'MONITOR_LISTEN',
          `cannot listen on 127.0.0.1:${cfg.monitor.port}: ${e.message}`,
          'pick another port with --port',
        );
      });
      emit(
        { ok: true, metrics: `${url}/metrics`, dashboard: `${url}/ops` },
        globals(cmd),
        (r) => `metrics   ${r.metrics}\ndashboard ${r.dashboard}?token=<\`bill-inquiry monitor token\`>`,
      );
      await new Promise<void>((resolve) =>
        ['SIGINT', 'SIGTERM'].forEach((sig) => process.once(sig, () => void app.close().then(() => resolve()))),
      );
    });

  monitor
    .command('alerts')
    .description('evaluate the §8.1 alerts now; exits 1 when one fires')
    .option('--webhook <url>', 'POST the firing alerts as JSON to this URL')
    .option('--all', 'list every alert, not only the firing ones (human output)')
    .action(async (opts: { webhook?: string; all?: boolean }, cmd: Command) => {
      const cfg = commandConfig(cmd);
      const alerts = evaluateAlerts(cfg, await collectSnapshot(cfg));
      const firing = alerts.filter((a) => a.firing);
      if (opts.webhook && firing.length) await sendWebhook(opts.webhook, firing);
      emit({ ok: firing.length === 0, firing: firing.map((a) => a.name), alerts }, globals(cmd), (r) =>
        renderAlerts(opts.all ? r.alerts : firing, r.alerts.length),
      );
      if (firing.length) process.exitCode = 1;
    });

  monitor
    .command('rules')
    .description('Prometheus alerting rules generated from the config')
    .option('--print', 'print the rules (default)')
    .option('--write <file>', 'write the rules to this file')
    .action((opts: { print?: boolean; write?: string }, cmd: Command) => {
      const yaml = prometheusRules(commandConfig(cmd));
      if (opts.write) {
        writeFileSync(opts.write, yaml);
        progress(`wrote ${opts.write}`);
      }
      if (opts.print || !opts.write) process.stdout.write(yaml);
    });

  monitor
    .command('snapshot')
    .description('everything the monitor collects, once (JSON)')
    .action(async (_opts: unknown, cmd: Command) => {
      const cfg = commandConfig(cmd);
      emit(await collectSnapshot(cfg), { json: true }, () => '');
    });

  monitor
    .command('token')
    .description('print the /ops admin token (secret ops-admin-token; generated on first use)')
    .action((_opts: unknown, cmd: Command) => {
      const token = opsAdminToken(commandConfig(cmd));
      emit({ token }, globals(cmd), (r) => r.token);
    });
}

function renderAlerts(list: AlertResult[], total: number): string {
  if (!list.length) return `no alert firing (${total} checked)`;
  return list
    .map(
      (a) =>
        `${a.firing ? 'FIRING' : 'ok    '} S${a.severity} ${a.title}: ${a.detail}${a.firing ? `\n       → ${a.action}\n       → ${a.severityLabel}: ${a.response}` : ''}`,
    )
    .join('\n');
}
