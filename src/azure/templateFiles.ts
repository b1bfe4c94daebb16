import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { ensureDir } from '../system/osUser.js';
import { PARAMETERS_FILE, TEMPLATE_FILE, renderParameters, renderTemplate } from './arm/template.js';
import { versionWarning } from './postgresVersions.js';

export interface WrittenTemplate {
  template: string;
  parameters: string;
  resources: number;
  /** What the user must hear (stderr): PostgreSQL support, missing inputs. */
  warnings: string[];
}

/** Things the configuration leaves open that a deployment needs or should have. */
export function templateWarnings(cfg: Readonly<Config>, today = new Date()): string[] {
  const a = cfg.azure;
  return [
    versionWarning(a.version, today),
    a.aadAdminObjectId
      ? undefined
      : `azure.aadAdminObjectId is not set: the parameters file has no entraAdminObjectId (the object id of ${a.aadAdminName}; az ad group show -g ${a.aadAdminName} --query id -o tsv)`,
    a.alerts.emails.length
      ? undefined
      : 'azure.alerts.emails is empty: the §8.1 alerts fire into an action group that notifies nobody (§14.2 asks to notify operations at once)',
  ].filter((w): w is string => w !== undefined);
}

/** Writes the ARM template and its parameters file into `dir` (created 0700). */
export function writeTemplateFiles(cfg: Readonly<Config>, dir: string, today = new Date()): WrittenTemplate {
  ensureDir(dir, 0o700);
  const template = renderTemplate(cfg, today);
  const files = { template: path.join(dir, TEMPLATE_FILE), parameters: path.join(dir, PARAMETERS_FILE) };
  writeFileSync(files.template, `${JSON.stringify(template, null, 2)}\n`);
  writeFileSync(files.parameters, `${JSON.stringify(renderParameters(cfg), null, 2)}\n`);
  return { ...files, resources: template.resources.length, warnings: templateWarnings(cfg, today) };
}
