import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/schema.js';
import { BillInquiryError } from '../errors.js';
import { SecretStore, strongPassword } from '../system/secrets.js';
import { PARAM_ADMIN_PASSWORD } from './arm/server.js';
import { az, azTail, checkAzVersion, checkLogin, type AzResult } from './azCli.js';
import { deployPlan, PASSWORD_FILE, type AzCommand } from './deployPlan.js';
import { writeTemplateFiles } from './templateFiles.js';

/** Secret-store name of the server admin's password (generated on first use, or BILL_INQUIRY_SECRET_AZURE_ADMIN_PASSWORD). */
export const ADMIN_PASSWORD_SECRET = 'azure-admin-password';

/** Flexible Server wants three of upper, lower, digit, symbol: the generated secret plus one of each. */
const azurePassword = (): string => `${strongPassword()}-Aa1`;

export interface DeployReport {
  deployed: boolean;
  azVersion: string;
  subscription: string;
  resources: number;
  seconds?: number;
  outputs?: Record<string, string>;
}

export interface DeployOptions {
  /** Where the template, the parameters and (only while running) the password file go. */
  dir: string;
  /** Deploy after the what-if; without it only the what-if runs. */
  yes: boolean;
  /** What-if's diff goes here (stdout, or stderr under --json). */
  diff: NodeJS.WritableStream;
  progress: (msg: string) => void;
  /** What the user must hear about the configuration (PostgreSQL support, alert receivers). */
  warn: (warnings: string[]) => void;
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);

/** Runs a planned command; a non-zero exit is an AZ_DEPLOY_FAILED naming the step. */
async function must(c: AzCommand, echo?: NodeJS.WritableStream): Promise<AzResult> {
  const r = await az(c, { echo });
  if (r.code !== 0)
    throw new BillInquiryError(
      'AZ_DEPLOY_FAILED',
      `${c.step} failed: ${azTail(r)}`,
      'read the az message; fix the config key or the Azure side it names, then rerun `azure deploy`',
      { cause: r },
    );
  return r;
}

/**
 * `azure deploy`: checks az (installed, new enough, signed in) and the §12.2
 * prerequisites (resource group, VNet), shows Azure's what-if of the template,
 * and with `yes` deploys it, reporting resources done as they finish, then
 * restarts both servers so shared_preload_libraries takes effect.
 */
export async function deployToAzure(cfg: Readonly<Config>, opts: DeployOptions): Promise<DeployReport> {
  const a = cfg.azure;
  if (!a.aadAdminObjectId)
    throw new BillInquiryError(
      'AZURE_INPUT_MISSING',
      `azure.aadAdminObjectId is not set: the Entra admin ${a.aadAdminName} (§3.3) is named by its object id`,
      `az ad group show -g ${a.aadAdminName} --query id -o tsv, then set azure.aadAdminObjectId (or BILL_INQUIRY__AZURE__AAD_ADMIN_OBJECT_ID)`,
    );
  const plan = deployPlan(cfg, opts.dir);
  const [version, account, group, vnet] = plan.preflight;
  const azVersion = checkAzVersion(await az(version!), a.minAzVersion);
  const { subscription } = checkLogin(await az(account!));
  opts.progress(`az ${azVersion}, subscription ${subscription}`);
  for (const c of [group!, vnet!]) {
    const r = await az(c);
    if (r.code !== 0)
      throw new BillInquiryError(
        'AZURE_PREREQUISITE',
        `${c.step}: ${azTail(r)}`,
        `create it first (plan §12.2 prerequisites), or fix azure.resourceGroup / azure.vnetName`,
      );
  }
  const written = writeTemplateFiles(cfg, opts.dir);
  opts.warn(written.warnings);
  const passwordFile = path.join(opts.dir, PASSWORD_FILE);
  const password = new SecretStore(cfg.dataDir).get(ADMIN_PASSWORD_SECRET, azurePassword);
  writeFileSync(
    passwordFile,
    JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0',
      parameters: { [PARAM_ADMIN_PASSWORD]: { value: password } },
    }),
    { mode: 0o600 },
  );
  chmodSync(passwordFile, 0o600);
  try {
    opts.progress(`what-if of ${written.resources} resources in ${a.resourceGroup}`);
    await must(plan.whatIf, opts.diff);
    const base = { azVersion, subscription, resources: written.resources };
    if (!opts.yes) return { deployed: false, ...base };
    const started = Date.now();
    await must(plan.create);
    await follow(plan, opts, started, a.deployPollSeconds * 1000);
    for (const c of plan.restart) {
      opts.progress(c.step);
      await must(c);
    }
    const outputs = JSON.parse((await must(plan.outputs)).stdout || '{}') as Record<string, { value: string }>;
    return {
      deployed: true,
      ...base,
      seconds: Math.round((Date.now() - started) / 1000),
      outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value])),
    };
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

/** Polls the deployment until it ends, printing how many resources are done. */
async function follow(
  plan: ReturnType<typeof deployPlan>,
  opts: DeployOptions,
  started: number,
  pollMs: number,
): Promise<void> {
  const [state, operations] = plan.progress;
  for (;;) {
    await sleep(pollMs);
    const s = (await must(state!)).stdout.trim();
    const ops = JSON.parse((await must(operations!)).stdout || '[]') as Array<{
      state: string;
      resource?: string;
      error?: string;
    }>;
    const done = ops.filter((o) => o.state === 'Succeeded').length;
    const failed = ops.filter((o) => o.state === 'Failed');
    opts.progress(
      `deployment ${s}: ${done} resources done, ${failed.length} failed (${Math.round((Date.now() - started) / 1000)} s)`,
    );
    if (!TERMINAL.has(s)) continue;
    if (s === 'Succeeded') return;
    throw new BillInquiryError(
      'AZ_DEPLOY_FAILED',
      `the deployment ended ${s}: ${failed.map((o) => `${o.resource ?? '?'}: ${o.error ?? 'no message'}`).join('; ') || 'no failed operation reported'}`,
      'fix what the messages name and rerun `azure deploy --yes` (ARM deployments are incremental: what exists is kept)',
    );
  }
}
