import { spawn } from 'node:child_process';
import pg from 'pg';
import { check, expect, fail, pass, VERIFY_APPLICATION_NAME, type Check, type VerifyContext } from './check.js';

/** openssl s_client speaking the PostgreSQL STARTTLS preamble, forced to one protocol version. */
function sClient(host: string, port: number, version: 'tls1_1' | 'tls1_2', timeoutMs: number): Promise<string> {
  // SECLEVEL=0 lets *our* OpenSSL offer TLS 1.1 at all; whatever refuses it then is the server.
  const args = [
    's_client',
    '-connect',
    `${host}:${port}`,
    '-starttls',
    'postgres',
    `-${version}`,
    '-cipher',
    'DEFAULT:@SECLEVEL=0',
    '-brief',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    child.stdin.end();
  });
}

/** §3.2: TLS on, 1.2 minimum enforced by the server, plain connections refused by the server. */
export async function tlsChecks(vc: VerifyContext): Promise<Check[]> {
  const { host, port } = vc.admin;
  const timeout = vc.cfg.database.connectTimeoutMs;
  const setting = async (name: string) =>
    (await vc.db.query<{ v: string }>('SELECT current_setting($1) AS v', [name])).rows[0]!.v;
  return Promise.all([
    check('tls.ssl', async () => expect((await setting('ssl')) === 'on', `ssl = ${await setting('ssl')}`)),
    check('tls.min-protocol', async () => {
      const v = await setting('ssl_min_protocol_version');
      return expect(
        v === vc.cfg.server.sslMinProtocolVersion,
        `ssl_min_protocol_version = ${v} (plan: ${vc.cfg.server.sslMinProtocolVersion})`,
      );
    }),
    check('tls.plain-refused', async () => {
      const t = vc.roleTarget('app');
      const client = new pg.Client({
        host,
        port,
        user: t.user,
        password: t.password,
        database: vc.cfg.database.name,
        ssl: false,
        application_name: VERIFY_APPLICATION_NAME,
        connectionTimeoutMillis: timeout,
      });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.end();
        return fail('a connection without TLS was accepted');
      } catch (e) {
        const err = e as { code?: string; message?: string };
        // 28000 comes from the server's pg_hba; a network error would prove nothing.
        return err.code === '28000'
          ? pass(`server refused: ${err.message}`)
          : fail(`no server refusal, but: ${err.message}`);
      }
    }),
    check('tls.tls1_1-refused-by-server', async () => {
      const [v11, v12] = [await sClient(host, port, 'tls1_1', timeout), await sClient(host, port, 'tls1_2', timeout)];
      const control = /Protocol version: TLSv1\.2|Protocol\s*:\s*TLSv1\.2/.test(v12);
      const alert = /alert protocol version|unsupported protocol|wrong version number/i.exec(v11)?.[0];
      const clientSide = /no protocols available/i.test(v11);
      if (!control)
        return fail(
          `control handshake with TLS 1.2 failed, so a TLS 1.1 refusal would prove nothing: ${v12.trim().split('\n')[0]}`,
        );
      if (clientSide) return fail('this openssl will not offer TLS 1.1, so the server was not tested');
      if (/Protocol version: TLSv1\.1|Protocol\s*:\s*TLSv1\.1/.test(v11))
        return fail('the server accepted a TLS 1.1 handshake');
      return expect(
        Boolean(alert),
        alert
          ? `TLS 1.2 handshake accepted; TLS 1.1 answered by the server with "${alert}"`
          : `unexpected: ${v11.trim().split('\n').slice(-1)[0]}`,
      );
    }),
  ]);
}
