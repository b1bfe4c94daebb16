import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { LogController } from 'fastify';
import type { ServiceConfig } from '../../config/sections/service.js';
import { KOS_MESSAGES, KOS_PATHS, type KosResultCode, type KosScenario } from '../protocol.js';
import { billFor, customerFor, hasNoBills, isUnknownLine } from './billData.js';

export interface KosMock {
  url: string;
  scenario: KosScenario;
  /** Calls answered so far, by path. */
  calls: Record<string, number>;
  close(): Promise<void>;
}

const LINE = /^[0-9]{10,11}$/;
const MONTH = /^[0-9]{4}(0[1-9]|1[0-2])$/;

export function scenarioFrom(cfg: ServiceConfig['kosMock']): KosScenario {
  return {
    latencyMs: cfg.latencyMs,
    failureRate: cfg.failureRate,
    timeoutRate: cfg.timeoutRate,
    hangMs: cfg.hangMs,
    forceCode: null,
    httpError: false,
  };
}

/** The KOS mock: real HTTP on 127.0.0.1, the KOS protocol, scenarios changeable at run time (PUT /kos/admin/scenario). */
export async function startKosMock(cfg: ServiceConfig['kosMock'], opts: { port?: number } = {}): Promise<KosMock> {
  const scenario = scenarioFrom(cfg);
  const calls: Record<string, number> = {};
  const app = Fastify({
    logger: false,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  });
  const reply = (code: KosResultCode, data: unknown = null) => ({
    resultCode: code,
    resultMessage: KOS_MESSAGES[code],
    data,
  });

  /** Applies latency, hangs and failures; returns a failure answer, or undefined to go on. */
  async function behave(path: string): Promise<{ status: number; body: unknown } | undefined> {
    calls[path] = (calls[path] ?? 0) + 1;
    if (scenario.timeoutRate > 0 && Math.random() < scenario.timeoutRate) await sleep(scenario.hangMs);
    else if (scenario.latencyMs > 0) await sleep(scenario.latencyMs);
    if (scenario.httpError) return { status: 500, body: { error: 'internal error' } };
    if (scenario.failureRate > 0 && Math.random() < scenario.failureRate) return { status: 200, body: reply('E999') };
    return undefined;
  }

  app.post<{ Body: { lineNumber?: unknown; inquiryMonth?: unknown } }>(KOS_PATHS.billInquiry, async (req, res) => {
    const failed = await behave(KOS_PATHS.billInquiry);
    if (failed) return res.code(failed.status).send(failed.body);
    const { lineNumber, inquiryMonth } = req.body ?? {};
    if (
      typeof lineNumber !== 'string' ||
      !LINE.test(lineNumber) ||
      typeof inquiryMonth !== 'string' ||
      !MONTH.test(inquiryMonth)
    ) {
      return res.code(400).send(reply('E999'));
    }
    if (scenario.forceCode)
      return reply(scenario.forceCode, scenario.forceCode === '0000' ? billFor(lineNumber, inquiryMonth) : null);
    if (isUnknownLine(lineNumber)) return reply('E001');
    if (hasNoBills(lineNumber)) return reply('E002');
    return reply('0000', billFor(lineNumber, inquiryMonth));
  });

  app.post<{ Body: { lineNumber?: unknown } }>(KOS_PATHS.customerInfo, async (req, res) => {
    const failed = await behave(KOS_PATHS.customerInfo);
    if (failed) return res.code(failed.status).send(failed.body);
    const { lineNumber } = req.body ?? {};
    if (typeof lineNumber !== 'string' || !LINE.test(lineNumber)) return res.code(400).send(reply('E999'));
    if (isUnknownLine(lineNumber)) return reply('E001');
    return reply('0000', customerFor(lineNumber));
  });

  app.get(KOS_PATHS.admin, async () => ({ scenario, calls }));
  app.put<{ Body: Partial<KosScenario> }>(KOS_PATHS.admin, async (req) => {
    Object.assign(scenario, pickScenario(req.body ?? {}));
    return { scenario, calls };
  });

  const address = await app.listen({ host: '127.0.0.1', port: opts.port ?? cfg.port });
  return { url: address, scenario, calls, close: () => app.close() };
}

function pickScenario(body: Partial<KosScenario>): Partial<KosScenario> {
  const out: Partial<KosScenario> = {};
  for (const key of ['latencyMs', 'failureRate', 'timeoutRate', 'hangMs'] as const) {
    if (typeof body[key] === 'number') out[key] = body[key];
  }
  if (body.forceCode === null || (typeof body.forceCode === 'string' && body.forceCode in KOS_MESSAGES))
    out.forceCode = body.forceCode;
  if (typeof body.httpError === 'boolean') out.httpError = body.httpError;
  return out;
}
