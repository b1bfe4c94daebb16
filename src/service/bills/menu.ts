import type { KosClient } from '../../kos/client/kosClient.js';
import type { CustomerInfo } from '../../kos/protocol.js';
import type { Principal } from '../auth/tokens.js';
import type { CustomerCache } from '../cache/customerCache.js';
import { ApiError, forbidden, unavailable } from '../errors.js';
import { lineDigits } from './lineNumber.js';
import { availableMonths, currentMonth, kosMonth } from './months.js';

type LineSummary = Partial<Omit<CustomerInfo, 'customerId'>> & { customerId: string | null; lineNumber: string };

/**
 * GET /bills/menu: the caller's customer and line, the months that can be
 * queried and the current month. The customer id is the token's (a phonebill
 * Auth token names it); otherwise, and for the details of each line, customer
 * info comes from the cache, then from KOS through the protocol adapter.
 */
export async function billMenu(
  principal: Principal,
  deps: { customers: CustomerCache; kos: KosClient; timeZone: string; customerTtlMs: number; months: number },
) {
  if (!principal.lines.length) throw forbidden('the token names no phone line');
  const current = currentMonth(deps.timeZone);
  let kosDown = false;
  const lines: LineSummary[] = await Promise.all(
    principal.lines.map(async (line) => {
      const info = await deps.customers.get(line, deps.customerTtlMs, async () => {
        const r = await deps.kos.customerInfo(lineDigits(line), kosMonth(current));
        if (r.outcome !== 'success') kosDown = true;
        return r.customer;
      });
      return info ? { ...info } : { customerId: null, lineNumber: line };
    }),
  );
  const first = lines[0]!;
  const customerId = principal.customerId ?? first.customerId;
  if (!customerId) {
    if (kosDown) throw unavailable('the billing system (KOS) is unavailable; try again shortly');
    throw new ApiError(
      'NOT_FOUND',
      'no customer is known for this line',
      'the token names no customer and KOS has none',
    );
  }
  return {
    customerInfo: { customerId, lineNumber: first.lineNumber },
    lines,
    availableMonths: availableMonths(current, deps.months),
    currentMonth: current,
  };
}
