import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, request } from 'undici';
import type { Config } from '../../config/schema.js';
import type { HaNodeConfig } from '../../config/sections/ha.js';
import { SecretStore } from '../../system/secrets.js';
import { REST_SECRET, REST_USER } from './config.js';

export interface RestResponse<T = unknown> {
  status: number;
  body: T;
}

/** One Patroni REST API: ours (a node of `cluster up --ha`) or a member of an existing Patroni cluster. */
export interface PatroniApi {
  /** Member name, for messages. */
  name: string;
  /** Base URL, e.g. https://127.0.0.1:8008. */
  url: string;
  /** PEM of the CA that signed the API's certificate; without it the system CAs verify it. */
  ca?: string;
  /** Name the certificate must carry (default: the URL's host; 127.0.0.1 → localhost, as our certificate says). */
  servername?: string;
  /** Basic auth for unsafe methods (switchover); read only when such a call is made. */
  auth?: () => { user: string; password: string };
}

/** Per-request budget (ms) when the caller gives none. */
const DEFAULT_TIMEOUT_MS = 2000;

/**
 * One call to a Patroni REST API over TLS, verified against `api.ca`. Unsafe
 * methods carry basic auth. Network errors and timeouts reject; HTTP statuses
 * (e.g. 503 from /primary on a replica) resolve.
 */
export async function patroniRequest<T = unknown>(
  api: PatroniApi,
  method: 'GET' | 'POST',
  urlPath: string,
  opts: { body?: unknown; timeoutMs?: number } = {},
): Promise<RestResponse<T>> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const auth = method === 'GET' ? undefined : api.auth?.();
  try {
    const res = await request(new URL(urlPath, api.url), {
      method,
      dispatcher: dispatcherFor(api),
      headers: {
        accept: 'application/json',
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(auth ? { authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}` } : {}),
      },
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.statusCode, body: parse(await res.body.text()) as T };
  } catch (e) {
    if ((e as Error).name === 'TimeoutError')
      throw new Error(`Patroni ${api.name} did not answer within ${timeoutMs} ms`, { cause: e });
    throw e;
  }
}

/** One keep-alive pool per CA and server name: the locator probes every member each second. */
const dispatchers = new Map<string, Agent>();
function dispatcherFor(api: PatroniApi): Agent {
  const url = new URL(api.url);
  const servername = api.servername ?? (url.hostname === '127.0.0.1' ? 'localhost' : url.hostname);
  const key = `${servername}\n${api.ca ?? ''}`;
  let agent = dispatchers.get(key);
  if (!agent) {
    agent = new Agent({ connect: { servername, ...(api.ca ? { ca: api.ca } : {}) }, keepAliveTimeout: 10_000 });
    dispatchers.set(key, agent);
  }
  return agent;
}

/** The REST API of a node of this data dir's HA topology (loopback, local CA, basic auth from the secret store). */
export function nodeApi(cfg: Readonly<Config>, node: HaNodeConfig): PatroniApi {
  return {
    name: node.name,
    url: `https://${cfg.cluster.host}:${node.restPort}`,
    // Read when a request is made: the CA may not exist yet when the topology is opened (a first `--ha` start).
    get ca() {
      return localCa(cfg.dataDir);
    },
    servername: 'localhost',
    auth: () => ({ user: REST_USER, password: new SecretStore(cfg.dataDir).get(REST_SECRET) }),
  };
}

const caCache = new Map<string, string>();
function localCa(dataDir: string): string | undefined {
  const file = path.join(dataDir, 'tls', 'ca.crt');
  let ca = caCache.get(file);
  if (ca === undefined) {
    try {
      ca = readFileSync(file, 'utf8');
    } catch {
      return undefined; // before `cluster up` made the CA: every probe fails, as it should
    }
    caCache.set(file, ca);
  }
  return ca;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
