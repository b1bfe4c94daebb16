import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { Config } from '../config/schema.js';
import { dumpContainer } from '../azure/clients/dumpContainer.js';
import { BillInquiryError, errorMessage } from '../errors.js';
import { restoreDump } from './logical.js';

/**
 * A §9.1 dump restored straight from the Blob container into a new database:
 * download | openssl -d | pg_restore, never a copy on local disk. The bytes
 * are hashed on the way and compared with the `sha256` the upload recorded;
 * a mismatch (or a download that breaks) fails the restore.
 */
export async function restoreLogicalFromBlob(
  cfg: Readonly<Config>,
  opts: { blob: string; into: string; port?: number; adminUrl?: string },
): Promise<{ ok: true; file: string; database: string; seconds: number; sha256: string }> {
  const { client, url } = dumpContainer(cfg);
  const blob = client.getBlockBlobClient(opts.blob);
  const name = `${url}/${opts.blob}`;
  const download = await blob.download().catch((e: unknown) => {
    const status = (e as { statusCode?: number }).statusCode;
    throw status === 404
      ? new BillInquiryError(
          'DUMP_MISSING',
          `no dump ${opts.blob} in ${url}`,
          'the newest is named by `check weekly` (item logical-dump) or `monitor snapshot`',
        )
      : new BillInquiryError(
          'DUMP_DOWNLOAD_FAILED',
          `cannot read ${name}: ${errorMessage(e)}`,
          "check the network path and the identity's role on the container",
          { cause: e },
        );
  });
  const body = download.readableStreamBody as Readable | undefined;
  if (!body) throw new BillInquiryError('DUMP_DOWNLOAD_FAILED', `${name} has no body`, 'upload the dump again');
  const hash = createHash('sha256');
  const hashed = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  body.on('error', (e) => hashed.destroy(e));
  // A restore that stops early (database exists, bad passphrase) must not leave the download open.
  const r = await restoreDump(cfg, {
    file: name,
    source: { stream: body.pipe(hashed) },
    into: opts.into,
    ...(opts.port ? { port: opts.port } : {}),
    ...(opts.adminUrl ? { adminUrl: opts.adminUrl } : {}),
  }).finally(() => body.destroy());
  const sha256 = hash.digest('hex');
  const recorded = download.metadata?.sha256;
  if (recorded && recorded !== sha256)
    throw new BillInquiryError(
      'DUMP_VERIFY_FAILED',
      `${name} read back with sha256 ${sha256}, but ${recorded} was uploaded: database ${opts.into} may not hold what was dumped`,
      `drop database ${opts.into} and restore an older dump`,
    );
  return { ...r, sha256 };
}
