import path from 'node:path';
import { replicaServerName } from '../config/sections/azure.js';
import type { Config } from '../config/schema.js';
import { PARAMETERS_FILE, TEMPLATE_FILE } from './arm/template.js';

/** The admin password's parameters file: written 0600 just before what-if, removed when `azure deploy` ends. */
export const PASSWORD_FILE = 'admin-password.parameters.json';

export interface AzCommand {
  /** What the step is for (progress line, and `--print` groups). */
  step: string;
  args: string[];
}

/**
 * Every `az` command `azure deploy` runs, in order, built from config and the
 * directory holding the generated files. `--print` prints exactly these; the
 * offline test runs each through Debian's az to prove it parses.
 */
export function deployPlan(cfg: Readonly<Config>, dir: string) {
  const a = cfg.azure;
  const rg = ['--resource-group', a.resourceGroup];
  const deployment = [...rg, '--name', a.deploymentName];
  const files = [
    '--template-file',
    path.join(dir, TEMPLATE_FILE),
    '--parameters',
    `@${path.join(dir, PARAMETERS_FILE)}`,
    '--parameters',
    `@${path.join(dir, PASSWORD_FILE)}`,
  ];
  const cmd = (step: string, ...args: string[]): AzCommand => ({ step, args: ['az', ...args] });
  return {
    preflight: [
      cmd('az CLI version', 'version', '--output', 'json'),
      cmd('signed in', 'account', 'show', '--output', 'json'),
      cmd('resource group exists (§12.2)', 'group', 'show', '--name', a.resourceGroup, '--output', 'none'),
      // `az resource show`, not `az network vnet show`: Debian's azure-cli 2.45 ships a network module that crashes on load.
      cmd(
        'VNet exists (§12.2)',
        'resource',
        'show',
        ...rg,
        '--resource-type',
        'Microsoft.Network/virtualNetworks',
        '--name',
        a.vnetName,
        '--output',
        'none',
      ),
    ],
    whatIf: cmd(
      'what-if: the changes the deployment would make',
      'deployment',
      'group',
      'what-if',
      ...deployment,
      ...files,
    ),
    create: cmd('deploy', 'deployment', 'group', 'create', ...deployment, ...files, '--no-wait', '--output', 'none'),
    progress: [
      cmd(
        'deployment state',
        'deployment',
        'group',
        'show',
        ...deployment,
        '--query',
        'properties.provisioningState',
        '--output',
        'tsv',
      ),
      cmd(
        'resources done so far',
        'deployment',
        'operation',
        'group',
        'list',
        ...deployment,
        '--query',
        '[].{state: properties.provisioningState, resource: properties.targetResource.resourceName, error: properties.statusMessage.error.message}',
        '--output',
        'json',
      ),
    ],
    // shared_preload_libraries (pg_stat_statements, pgaudit) takes effect only after a restart; ARM does not restart.
    restart: [a.serverName, replicaServerName(a)].map((name) =>
      cmd(
        `restart ${name} for shared_preload_libraries`,
        'postgres',
        'flexible-server',
        'restart',
        ...rg,
        '--name',
        name,
        '--output',
        'none',
      ),
    ),
    outputs: cmd(
      'outputs',
      'deployment',
      'group',
      'show',
      ...deployment,
      '--query',
      'properties.outputs',
      '--output',
      'json',
    ),
  };
}

export type DeployPlan = ReturnType<typeof deployPlan>;

/** All commands of a plan in the order `azure deploy --yes` runs them. */
export const allCommands = (p: DeployPlan): AzCommand[] => [
  ...p.preflight,
  p.whatIf,
  p.create,
  ...p.progress,
  ...p.restart,
  p.outputs,
];

/** POSIX shell quoting, so a printed line can be pasted as is. */
export const shellQuote = (arg: string): string =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;

export const commandLine = (c: AzCommand): string => c.args.map(shellQuote).join(' ');
