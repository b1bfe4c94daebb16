import type { Principal } from '../auth/tokens.js';
import { forbidden } from '../errors.js';

/** The token names the lines its user may see; any other line is 403. */
export function ownLine(principal: Principal, line: string): void {
  if (!principal.lines.includes(line)) throw forbidden('this line number does not belong to the caller');
}
