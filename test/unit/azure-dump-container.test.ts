import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { dumpContainer, dumpContainerConfigured } from '../../src/azure/clients/dumpContainer.js';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { BillInquiryError } from '../../src/errors.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bi-dumps-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));
const cfg = (azure: ConfigInput['azure'] = {}) => loadConfig({ env: {}, overrides: { dataDir, azure } });

test('the dump container: https only, the template account by default, watched only when configured', () => {
  assert.throws(
    () => cfg({ logicalBackup: { accountUrl: 'http://dumps.blob.core.windows.net' } }),
    /an https:\/\/ URL \(dumps travel encrypted/,
  );
  const plain = cfg();
  assert.equal(dumpContainerConfigured(plain), false, 'a local setup never reaches out to Azure');
  assert.equal(dumpContainer(plain).url, 'https://phonebillpgdumps.blob.core.windows.net/logical-dumps');
  assert.equal(dumpContainerConfigured(cfg({ subscriptionId: '00000000-0000-0000-0000-000000000000' })), true);
  const azurite = cfg({ logicalBackup: { accountUrl: 'https://localhost:10000/devacct/', container: 'c1' } });
  assert.equal(dumpContainerConfigured(azurite), true);
  assert.equal(dumpContainer(azurite).url, 'https://localhost:10000/devacct/c1');
});

test('auth = sas without the secret: AZURE_BLOB_AUTH naming the secret file and variable; the SAS never in the URL shown', () => {
  const sas = cfg({ logicalBackup: { auth: 'sas' } });
  assert.throws(
    () => dumpContainer(sas, {}),
    (e: unknown) =>
      e instanceof BillInquiryError &&
      e.code === 'AZURE_BLOB_AUTH' &&
      e.hint!.includes(path.join(dataDir, 'secrets', 'azure-blob-sas')) &&
      e.hint!.includes('BILL_INQUIRY_SECRET_AZURE_BLOB_SAS'),
  );
  process.env.BILL_INQUIRY_SECRET_AZURE_BLOB_SAS = '?sv=2025-01-05&sig=secret';
  try {
    const c = dumpContainer(sas);
    assert.equal(c.url, 'https://phonebillpgdumps.blob.core.windows.net/logical-dumps');
    assert.match(c.client.url, /\?sv=2025-01-05&sig=secret$/, 'the client carries it, once');
  } finally {
    delete process.env.BILL_INQUIRY_SECRET_AZURE_BLOB_SAS;
  }
});
