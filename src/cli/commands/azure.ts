import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { renderTemplate } from '../../azure/arm/template.js';
import { deployToAzure } from '../../azure/deploy.js';
import { allCommands, commandLine, deployPlan } from '../../azure/deployPlan.js';
import { renderIdentitySql } from '../../azure/identitySql.js';
import { azureServerParameters } from '../../azure/serverParameters.js';
import { templateWarnings, writeTemplateFiles } from '../../azure/templateFiles.js';
import { ensureDir } from '../../system/osUser.js';
import { commandConfig, globals } from '../context.js';
import { emit, progress } from '../output.js';

const warn = (warnings: string[]): void => {
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
};

/** Where `azure deploy` keeps the generated files unless -o says otherwise. */
const defaultDir = (dataDir: string): string => path.join(dataDir, 'azure');

export function registerAzureCommands(program: Command): void {
  const azure = program
    .command('azure')
    .description('the production target: Azure Database for PostgreSQL Flexible Server, deployed as an ARM template');

  azure
    .command('template')
    .description('the ARM template (and its parameters file) of the plan on Azure, from the configuration')
    .option(
      '-o, --out <dir>',
      'write azuredeploy.json and azuredeploy.parameters.json there instead of the template to stdout',
    )
    .action((opts: { out?: string }, cmd: Command) => {
      const cfg = commandConfig(cmd);
      if (!opts.out) {
        warn(templateWarnings(cfg));
        return void process.stdout.write(`${JSON.stringify(renderTemplate(cfg), null, 2)}\n`);
      }
      const written = writeTemplateFiles(cfg, opts.out);
      warn(written.warnings);
      emit(written, globals(cmd), (r) => `wrote ${r.template} (${r.resources} resources) and ${r.parameters}`);
    });

  azure
    .command('deploy')
    .description("Azure's what-if of the template, then (--yes) the deployment, with progress")
    .option('-o, --out <dir>', 'directory for the generated files (default <data-dir>/azure)')
    .option('--yes', 'deploy after showing the what-if')
    .option(
      '--print',
      'print the az command lines it would run, one per line, and run nothing (writes the template files they name)',
    )
    .action(async (opts: { out?: string; yes?: boolean; print?: boolean }, cmd: Command) => {
      const cfg = commandConfig(cmd);
      const dir = path.resolve(opts.out ?? defaultDir(cfg.dataDir));
      const g = globals(cmd);
      if (opts.print) {
        warn(writeTemplateFiles(cfg, dir).warnings);
        const lines = allCommands(deployPlan(cfg, dir)).map(commandLine);
        return emit({ commands: lines }, g, (r) => r.commands.join('\n'));
      }
      const report = await deployToAzure(cfg, {
        dir,
        yes: Boolean(opts.yes),
        diff: g.json ? process.stderr : process.stdout,
        progress,
        warn,
      });
      emit(report, g, (r) =>
        r.deployed
          ? [
              `deployed ${r.resources} resources in ${r.seconds} s (${r.subscription})`,
              ...Object.entries(r.outputs ?? {}).map(([k, v]) => `  ${k}: ${v}`),
              'next: bill-inquiry db apply --admin-url …, then bill-inquiry azure sql (docs/azure.md)',
            ].join('\n')
          : `what-if only (${r.resources} resources); run again with --yes to deploy`,
      );
    });

  azure
    .command('sql')
    .description(
      "the SQL mapping the managed identity to bill_app_user's privileges (§3.3), for the two admins who run it",
    )
    .option(
      '--object-id <id>',
      "the identity's object (principal) id: the deployment's serviceIdentityPrincipalId output",
    )
    .option('-o, --out <dir>', 'write identity-1-entra-admin.sql and identity-2-server-admin.sql there')
    .action((opts: { objectId?: string; out?: string }, cmd: Command) => {
      const sql = renderIdentitySql(commandConfig(cmd), opts.objectId);
      if (opts.out) {
        ensureDir(opts.out, 0o700);
        writeFileSync(path.join(opts.out, 'identity-1-entra-admin.sql'), sql.entraAdmin);
        writeFileSync(path.join(opts.out, 'identity-2-server-admin.sql'), sql.serverAdmin);
      }
      emit(sql, globals(cmd), (r) => `${r.entraAdmin}\n${r.serverAdmin}`);
    });

  azure
    .command('parameters')
    .description('server parameters as Azure will be given them (names and Azure units)')
    .action((_opts: unknown, cmd: Command) => {
      const params = azureServerParameters(commandConfig(cmd));
      emit(Object.fromEntries(params), globals(cmd), () => params.map(([k, v]) => `${k.padEnd(30)} ${v}`).join('\n'));
    });
}
