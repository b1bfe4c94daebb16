import { chmodSync, chownSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureDir, type OsUser } from '../../system/osUser.js';
import { run } from '../../system/run.js';

export interface TlsFiles {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
}

/**
 * A local CA and a server certificate for 127.0.0.1/localhost, made once per
 * data dir with openssl. Private keys are 0600; the server key belongs to the
 * server's OS user because PostgreSQL refuses a key it does not own.
 */
export async function ensureTls(dataDir: string, owner?: OsUser): Promise<TlsFiles> {
  const dir = path.join(dataDir, 'tls');
  ensureDir(dir, 0o755);
  const f = {
    dir,
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    serverCert: path.join(dir, 'server.crt'),
    serverKey: path.join(dir, 'server.key'),
  };
  if (!existsSync(f.caCert) || !existsSync(f.caKey)) {
    await openssl([
      'req',
      '-x509',
      '-new',
      ...ecKey(f.caKey),
      '-out',
      f.caCert,
      '-days',
      '3650',
      '-subj',
      '/CN=Bill-Inquiry local CA',
    ]);
    chmodSync(f.caKey, 0o600);
  }
  if (!existsSync(f.serverCert) || !existsSync(f.serverKey)) {
    const csr = path.join(dir, 'server.csr');
    const ext = path.join(dir, 'server.ext');
    writeFileSync(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    await openssl(['req', '-new', ...ecKey(f.serverKey), '-out', csr, '-subj', '/CN=localhost']);
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      f.caCert,
      '-CAkey',
      f.caKey,
      '-CAcreateserial',
      '-out',
      f.serverCert,
      '-days',
      '825',
      '-extfile',
      ext,
    ]);
    chmodSync(f.serverKey, 0o600);
  }
  if (owner) chownSync(f.serverKey, owner.uid, owner.gid);
  return { dir, caCert: f.caCert, serverCert: f.serverCert, serverKey: f.serverKey };
}

const ecKey = (keyFile: string) => [
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:prime256v1',
  '-nodes',
  '-keyout',
  keyFile,
];

const openssl = (args: string[]) => run('openssl', args);
