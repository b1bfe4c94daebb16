import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { BlockBlobClient } from '@azure/storage-blob';
import type { Config } from '../config/schema.js';
import { dumpContainer } from '../azure/clients/dumpContainer.js';
import { BillInquiryError, errorMessage } from '../errors.js';
import { dumpName, dumpStages } from './logical.js';
import { startPipeline, type RunningPipe } from './pipe.js';

/** How the blob's bytes are encrypted (the same as the local dumps): said on the blob for whoever restores it. */
const ENCRYPTION = 'openssl-aes-256-cbc-pbkdf2';

export interface LogicalUploadResult {
  ok: true;
  /** Blob name in the container (`<database>-<ISO time>.dump.enc`). */
  blob: string;
  /** The container's URL (no SAS). */
  container: string;
  bytes: number;
  sha256: string;
  seconds: number;
  /** What the read-back of the committed blob measured: the same size and checksum. */
  verified: { bytes: number; sha256: string };
}

/**
 * The weekly logical backup (§9.1) streamed to the Blob container: pg_dump |
 * openssl enc (the local dumps' encryption, §10.2) → block blob over HTTPS,
 * never a full copy on local disk. The blob is committed only after both
 * programs exited 0 (a failed pg_dump must not leave a truncated "dump"),
 * then read back and its size and SHA-256 compared with what was sent. A
 * cut connection, a failed stage or a mismatch is an error, and no blob of
 * that name is left behind. Old dumps are removed by the container's
 * lifecycle rule (backup.logical.retentionDays, `azure template`).
 */
export async function uploadLogicalBackup(cfg: Readonly<Config>, now = new Date()): Promise<LogicalUploadResult> {
  const lb = cfg.azure.logicalBackup;
  const { client: container, url } = dumpContainer(cfg);
  const name = dumpName(cfg, now);
  const blob = container.getBlockBlobClient(name);
  const started = Date.now();
  const [dump, encrypt] = await dumpStages(cfg);
  const pipe = startPipeline(dump, encrypt);
  const sent = digestUntil(pipe);
  try {
    await blob.uploadStream(pipe.stdout.pipe(sent.stream), lb.blockMb * 2 ** 20, lb.uploadConcurrency, {
      blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
      metadata: { database: cfg.database.name, encryption: ENCRYPTION },
    });
  } catch (e) {
    pipe.kill();
    await pipe.done.catch(() => undefined);
    await removeQuietly(blob);
    throw new BillInquiryError(
      'DUMP_UPLOAD_FAILED',
      `logical dump ${name} was not stored in ${url}: ${errorMessage(e)}`,
      'nothing was committed; check the network path to the storage account and its role assignment (Storage Blob Data Contributor), then run `backup logical --upload` again',
      { cause: e },
    );
  }
  const { bytes, sha256 } = sent.result();
  // The checksum is known only once the stream ended: it goes on the blob for restores to compare.
  await blob.setMetadata({ sha256, database: cfg.database.name, encryption: ENCRYPTION });
  const verified = await readBack(blob);
  if (verified.bytes !== bytes || verified.sha256 !== sha256) {
    await removeQuietly(blob);
    throw new BillInquiryError(
      'DUMP_VERIFY_FAILED',
      `the uploaded ${name} reads back as ${verified.bytes} bytes sha256 ${verified.sha256}, but ${bytes} bytes sha256 ${sha256} were sent`,
      'the blob was deleted; run `backup logical --upload` again and check the storage account',
    );
  }
  return {
    ok: true,
    blob: name,
    container: url,
    bytes,
    sha256,
    seconds: (Date.now() - started) / 1000,
    verified,
  };
}

/**
 * A pass-through that counts and hashes what goes up, and ends the stream
 * only after both stages exited 0: if pg_dump or openssl failed, the stream
 * errors instead, so uploadStream never commits the block list.
 */
function digestUntil(pipe: RunningPipe): { stream: Transform; result(): { bytes: number; sha256: string } } {
  const hash = createHash('sha256');
  let bytes = 0;
  let sha256: string | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
    flush(cb) {
      pipe.done.then(
        () => {
          sha256 = hash.digest('hex');
          cb();
        },
        (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
      );
    },
  });
  return {
    stream,
    result: () => {
      if (sha256 === undefined) throw new Error('the dump stream did not end');
      return { bytes, sha256 };
    },
  };
}

/** Downloads the committed blob (streamed) and hashes it: the copy in Azure is what was sent. */
async function readBack(blob: BlockBlobClient): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const body = (await blob.download()).readableStreamBody;
  if (!body) throw new BillInquiryError('DUMP_VERIFY_FAILED', `${blob.name} has no body`, 'upload it again');
  for await (const chunk of body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

async function removeQuietly(blob: BlockBlobClient): Promise<void> {
  await blob.deleteIfExists().catch(() => undefined);
}
