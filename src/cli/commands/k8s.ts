import path from 'node:path';
import type { Command } from 'commander';
import { applySteps } from '../../k8s/applySteps.js';
import { writeK8s } from '../../k8s/files.js';
import { renderK8s } from '../../k8s/render.js';
import { commandConfig, globals } from '../context.js';
import { emit } from '../output.js';

export function registerK8sCommands(program: Command): void {
  const k8s = program
    .command('k8s')
    .description('the service on Kubernetes (AKS, plan §7): manifests from the configuration');

  k8s
    .command('render')
    .description(
      'write the kustomize directory (base/, migration/, workload/) of the service: StatefulSet, Services, HPA, PDB, NetworkPolicy, admin Job and CronJobs',
    )
    .option('-o, --out <dir>', 'directory to write (default <data-dir>/k8s)')
    .action((opts: { out?: string }, cmd: Command) => {
      const cfg = commandConfig(cmd);
      const dir = path.resolve(opts.out ?? path.join(cfg.dataDir, 'k8s'));
      const render = renderK8s(cfg);
      for (const w of render.warnings) process.stderr.write(`warning: ${w}\n`);
      const written = writeK8s(render, dir);
      emit(
        {
          ok: true,
          ...written,
          migrationJob: render.migrationJob,
          connectionBudget: { status: render.budget.status, detail: render.budget.detail },
          warnings: render.warnings,
          apply: applySteps(cfg, dir),
        },
        globals(cmd),
        (r) =>
          [
            `wrote ${r.objects} objects to ${r.dir} (${r.files.length} files)`,
            `connection budget (${r.connectionBudget.status}): ${r.connectionBudget.detail}`,
            'apply, in this order:',
            ...r.apply.map((line) => `  ${line}`),
          ].join('\n'),
      );
    });
}
