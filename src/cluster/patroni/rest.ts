import https from 'node:https';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/schema.js';
import type { HaNodeConfig } from '../../config/sections/ha.js';
import { SecretStore } from '../../system/secrets.js';
import { REST_SECRET, REST_USER } from './config.js';

export interface RestResponse<T = unknown> {
  status: number;
  body: T;
}

/**
 * One call to a node's Patroni REST API over TLS (verified against the local
 * CA). Unsafe methods carry basic auth. Network errors reject; HTTP statuses
 * (e.g. 503 from /primary on a replica) resolve.
 */
export function patroniRequest<T = unknown>(
  cfg: Readonly<Config>,
  node: HaNodeConfig,
  method: 'GET' | 'POST',
  urlPath: string,
  opts: { body?: unknown; timeoutMs?: number } = {},
): Promise<RestResponse<T>> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const auth = method === 'GET' ? undefined : `${REST_USER}:${new SecretStore(cfg.dataDir).get(REST_SECRET)}`;
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: cfg.cluster.host,
        port: node.restPort,
        path: urlPath,
        method,
        ca: caCert(cfg),
        servername: 'localhost',
        timeout: opts.timeoutMs ?? cfg.ha.locatorProbeTimeoutMs,
        headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json' } : {}) },
        ...(auth ? { auth } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parse(text) as T }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Patroni ${node.name} did not answer within the probe timeout`)));
    req.on('error', reject);
    req.end(payload);
  });
}

const caCache = new Map<string, string>();
function caCert(cfg: Readonly<Config>): string {
  const file = path.join(cfg.dataDir, 'tls', 'ca.crt');
  let ca = caCache.get(file);
  if (!ca) caCache.set(file, (ca = readFileSync(file, 'utf8')));
  return ca;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
