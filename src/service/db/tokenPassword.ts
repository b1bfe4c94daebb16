import type { AccessToken, TokenCredential } from '@azure/identity';
import type { ServiceConfig } from '../../config/sections/service.js';
import { azureIdentity } from '../../system/azureIdentity.js';

type EntraConfig = NonNullable<ServiceConfig['database']>['entra'];

/**
 * Microsoft Entra access tokens as PostgreSQL passwords (Azure Flexible
 * Server, §3.3): `password` is what pg calls for every new connection. The
 * current token is handed out until `refreshBeforeExpiryMs` before it expires
 * (or its own refreshAfterTimestamp); then one fetch serves every caller.
 * Connections already open are unaffected — a token is checked only at
 * sign-in — so nothing restarts. If a fetch fails while the current token is
 * still valid, that token is used and the failure reported; once it has
 * expired the failure is the connection's.
 */
export class TokenPassword {
  private token?: AccessToken;
  private fetching?: Promise<AccessToken>;

  constructor(
    private readonly credential: TokenCredential,
    private readonly scope: string,
    private readonly refreshBeforeMs: number,
    private readonly onRefreshError: (e: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  readonly password = async (): Promise<string> => {
    const t = this.token;
    const now = this.now();
    if (t && !this.due(t, now)) return t.token;
    try {
      return (await this.fetch()).token;
    } catch (e) {
      if (t && now < t.expiresOnTimestamp) {
        this.onRefreshError(e);
        return t.token;
      }
      throw e;
    }
  };

  private due(t: AccessToken, now: number): boolean {
    return (
      now >= t.expiresOnTimestamp - this.refreshBeforeMs ||
      (t.refreshAfterTimestamp !== undefined && now >= t.refreshAfterTimestamp)
    );
  }

  private fetch(): Promise<AccessToken> {
    this.fetching ??= this.credential
      .getToken(this.scope)
      .then((t) => {
        if (!t) throw new Error(`the Entra credential returned no token for ${this.scope}`);
        this.token = t;
        return t;
      })
      .finally(() => (this.fetching = undefined));
    return this.fetching;
  }
}

/** The credential of `service.database.entra` (system/azureIdentity.ts). */
export function entraCredential(entra: EntraConfig): TokenCredential {
  return azureIdentity(entra.clientId);
}
