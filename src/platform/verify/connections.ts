import { connectionBudget, readPoolOnPrimary } from '../connectionBudget.js';
import { check, type Check, type VerifyContext } from './check.js';

/** The services' connection budget (pool × instances + reserve) against the server's max_connections. */
export async function connectionChecks(vc: VerifyContext): Promise<Check[]> {
  return [
    await check('connections.budget', async () => {
      const { rows } = await vc.db.query<{ max: number; reserved: number }>(
        `SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved`,
      );
      const b = connectionBudget(
        vc.cfg.pool,
        { maxConnections: rows[0]!.max, superuserReserved: rows[0]!.reserved },
        1,
        readPoolOnPrimary(vc.cfg),
      );
      return {
        ok: b.status !== 'fail',
        ...(b.status === 'warn' ? { warn: true } : {}),
        detail: b.status === 'pass' ? b.detail : `${b.detail} — ${b.action}`,
      };
    }),
  ];
}
