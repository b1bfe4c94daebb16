import { ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { Config } from '../../config/schema.js';
import { BillInquiryError } from '../../errors.js';
import { SecretStore } from '../../system/secrets.js';
import { identityCredential } from './credential.js';

/** SAS token of the dump container (auth = sas), from the secret store. */
export const BLOB_SAS_SECRET = 'azure-blob-sas';

/** The §9.1 dump container, and whether the config names one at all. */
export interface DumpContainer {
  client: ContainerClient;
  /** The container's URL without any SAS: what reports and logs show. */
  url: string;
}

/** The account URL: azure.logicalBackup.accountUrl, or the public cloud's for azure.logicalBackup.storageAccount. */
const accountUrl = (cfg: Readonly<Config>): string =>
  (
    cfg.azure.logicalBackup.accountUrl ?? `https://${cfg.azure.logicalBackup.storageAccount}.blob.core.windows.net`
  ).replace(/\/+$/, '');

/**
 * Whether the monitor should look for dumps in the container: the operator
 * named the account URL, or configured Azure (azure.subscriptionId). A local
 * setup without either never reaches out to Azure.
 */
export const dumpContainerConfigured = (cfg: Readonly<Config>): boolean =>
  !!cfg.azure.logicalBackup.accountUrl || !!cfg.azure.subscriptionId;

/** A client of the dump container, signed in as azure.logicalBackup.auth says. */
export function dumpContainer(cfg: Readonly<Config>, options: StoragePipelineOptions = {}): DumpContainer {
  const lb = cfg.azure.logicalBackup;
  const url = `${accountUrl(cfg)}/${lb.container}`;
  if (!url.startsWith('https://'))
    throw new BillInquiryError(
      'CONFIG_INVALID',
      `the dump container ${url} is not an https:// URL`,
      'set azure.logicalBackup.accountUrl to https://… (dumps travel encrypted, §10.2)',
    );
  if (lb.auth === 'identity') return { client: new ContainerClient(url, identityCredential(cfg), options), url };
  const store = new SecretStore(cfg.dataDir);
  const sas = store.peek(BLOB_SAS_SECRET);
  if (!sas)
    throw new BillInquiryError(
      'AZURE_BLOB_AUTH',
      `azure.logicalBackup.auth=sas, but secret ${BLOB_SAS_SECRET} is not set`,
      `put a SAS token of ${url} (rights: read, create, write, list) into ${store.file(BLOB_SAS_SECRET)} (mode 0600) or ${SecretStore.envName(BLOB_SAS_SECRET)}`,
    );
  return { client: new ContainerClient(`${url}?${sas.replace(/^\?/, '')}`, undefined, options), url };
}
