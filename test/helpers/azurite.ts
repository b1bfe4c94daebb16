import { BlobServiceClient, StorageSharedKeyCredential, type StoragePipelineOptions } from '@azure/storage-blob';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import type { TlsFiles } from '../../src/cluster/local/tls.js';
import { freePort } from '../../src/system/freePort.js';
import { tempDataDir } from './tempCluster.js';

export interface Azurite {
  /** `localhost`: pgBackRest 2.45 checks certificates against DNS names only, never IP SANs. */
  host: 'localhost';
  port: number;
  account: string;
  /** Random per run: Azurite's well-known development key is never used. */
  key: string;
  /** Path-style service URL, as Azurite serves it: https://localhost:<port>/<account>. */
  url: string;
  blobs: BlobServiceClient;
  stop(): Promise<void>;
}

const ACCOUNT = 'billinquirytest';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const azuriteBlobMain = () => {
  const pkg = createRequire(import.meta.url).resolve('azurite/package.json');
  return path.join(path.dirname(pkg), 'dist', 'src', 'blob', 'main.js');
};

/**
 * Azurite's blob service on loopback and a free port, HTTPS with the given
 * certificate (SAN localhost), storage in a temp dir, one account with a
 * random key. The caller stops it (after the test file); it is killed at
 * process exit if a test threw first.
 */
export async function startAzurite(tls: TlsFiles): Promise<Azurite> {
  const bindAddress = await localhostAddress();
  const port = await freePort();
  const key = randomBytes(64).toString('base64');
  const location = tempDataDir('bi-azurite-');
  const args = [
    azuriteBlobMain(),
    '--blobHost',
    bindAddress,
    '--blobPort',
    String(port),
    '--location',
    location,
    '--cert',
    tls.serverCert,
    '--key',
    tls.serverKey,
    '--silent',
    '--disableTelemetry',
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, AZURITE_ACCOUNTS: `${ACCOUNT}:${key}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async () => {
    process.off('exit', kill);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const slow = setTimeout(kill, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(slow);
    }
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await accepts(bindAddress, port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`Azurite did not start on ${bindAddress}:${port}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = `https://localhost:${port}/${ACCOUNT}`;
  // The SDK hands its options on to @azure/core-rest-pipeline, whose tlsOptions trust the local CA.
  const options: StoragePipelineOptions & { tlsOptions: { ca: Buffer } } = {
    tlsOptions: { ca: readFileSync(tls.caCert) },
  };
  const blobs = new BlobServiceClient(url, new StorageSharedKeyCredential(ACCOUNT, key), options);
  return { host: 'localhost', port, account: ACCOUNT, key, url, blobs, stop };
}

/**
 * The address pgBackRest will connect to for `localhost`: it tries only the
 * first getaddrinfo answer, so Azurite listens exactly there (127.0.0.1, or
 * ::1 where the resolver puts it first) — loopback either way.
 */
async function localhostAddress(): Promise<string> {
  const { address } = await lookup('localhost');
  if (address !== '::1' && !address.startsWith('127.'))
    throw new Error(`localhost resolves to ${address}, not a loopback address`);
  return address;
}

const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const sock = net.connect({ host, port });
    sock.once('connect', () => (sock.destroy(), resolve(true)));
    sock.once('error', () => resolve(false));
  });
