import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { ServiceConfig } from '../../config/sections/service.js';
import { KOS_PATHS, type KosProtocolName, type KosScenario, type MockCase } from '../protocol.js';
import { caseOf, DESIGN_SCENARIO_LINES } from './billData.js';
import { designRoutes } from './design.js';
import { phonebillKosMockRoutes } from './phonebillKosMock.js';
import type { MockContext } from './context.js';

export interface KosMock {
  url: string;
  protocol: KosProtocolName;
  scenario: KosScenario;
  /** Calls answered so far: `bill` inquiries and `customer` lookups. */
  calls: Record<string, number>;
  close(): Promise<void>;
}

export function scenarioFrom(cfg: ServiceConfig['kosMock']): KosScenario {
  return {
    latencyMs: cfg.latencyMs,
    failureRate: cfg.failureRate,
    timeoutRate: cfg.timeoutRate,
    hangMs: cfg.hangMs,
    force: null,
    httpError: false,
  };
}

const MOCK_CASES: readonly MockCase[] = ['ok', 'unknownLine', 'inactiveLine', 'noData', 'systemError'];

/**
 * The KOS mock: real HTTP on 127.0.0.1 speaking one KOS protocol (`design`,
 * the default, or `phonebill-kos-mock`), scenarios changeable at run time
 * (PUT /kos/admin/scenario, whatever the protocol).
 */
export async function startKosMock(
  cfg: ServiceConfig['kosMock'],
  opts: { port?: number; protocol?: KosProtocolName; timeZone?: string } = {},
): Promise<KosMock> {
  const protocol = opts.protocol ?? 'design';
  const scenario = scenarioFrom(cfg);
  const calls: Record<string, number> = {};
  const month = new Intl.DateTimeFormat('en-CA', {
    timeZone: opts.timeZone ?? 'Asia/Seoul',
    year: 'numeric',
    month: '2-digit',
  });
  const ctx: MockContext = {
    currentMonth: () => month.format(new Date()).replace('-', ''),
    async decide(kind, digits, yyyymm) {
      calls[kind] = (calls[kind] ?? 0) + 1;
      const lineDelay = kind === 'bill' ? DESIGN_SCENARIO_LINES[digits]?.delayMs : undefined;
      if (scenario.timeoutRate > 0 && Math.random() < scenario.timeoutRate) await sleep(scenario.hangMs);
      else if ((lineDelay ?? scenario.latencyMs) > 0) await sleep(lineDelay ?? scenario.latencyMs);
      if (scenario.httpError) return 'httpError';
      if (kind === 'bill' && scenario.force) return scenario.force;
      if (scenario.failureRate > 0 && Math.random() < scenario.failureRate) return 'systemError';
      // The kos-mock keeps bills of its own customers for three months only.
      return caseOf(digits, yyyymm ?? '', protocol === 'phonebill-kos-mock' ? ctx.currentMonth() : undefined);
    },
  };
  const app = Fastify({
    logger: false,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  });
  (protocol === 'design' ? designRoutes : phonebillKosMockRoutes)(app, ctx);
  adminRoutes(app, scenario, calls);
  const address = await app.listen({ host: '127.0.0.1', port: opts.port ?? cfg.port });
  return { url: address, protocol, scenario, calls, close: () => app.close() };
}

function adminRoutes(app: FastifyInstance, scenario: KosScenario, calls: Record<string, number>): void {
  app.get(KOS_PATHS.admin, async () => ({ scenario, calls }));
  app.put<{ Body: Partial<KosScenario> }>(KOS_PATHS.admin, async (req) => {
    Object.assign(scenario, pickScenario(req.body ?? {}));
    return { scenario, calls };
  });
}

function pickScenario(body: Partial<KosScenario>): Partial<KosScenario> {
  const out: Partial<KosScenario> = {};
  for (const key of ['latencyMs', 'failureRate', 'timeoutRate', 'hangMs'] as const) {
    if (typeof body[key] === 'number') out[key] = body[key];
  }
  if (body.force === null || (typeof body.force === 'string' && MOCK_CASES.includes(body.force)))
    out.force = body.force;
  if (typeof body.httpError === 'boolean') out.httpError = body.httpError;
  return out;
}
