import type { AccessToken, TokenCredential } from '@azure/identity';
import type { Config } from '../../config/schema.js';
import { azureIdentity } from '../../system/azureIdentity.js';
import { SecretStore } from '../../system/secrets.js';

/** A bearer token for ARM handed in through the secret store (e.g. `az account get-access-token --query accessToken -o tsv`). */
export const ARM_TOKEN_SECRET = 'azure-arm-token';
/** How long a handed-in token is assumed to hold: Entra tokens live 60–90 min, and one command's run is far shorter. */
const HANDED_IN_TOKEN_MS = 5 * 60_000;

/**
 * The identity the tool signs in to Azure with (Monitor, ARM, Blob storage):
 * azure.clientId, else service.database.entra.clientId (system/azureIdentity.ts).
 */
export function identityCredential(cfg: Readonly<Config>): TokenCredential {
  return azureIdentity(cfg.azure.clientId ?? cfg.service.database?.entra.clientId);
}

/** For ARM calls: a token from the secret store when one is there (a run off Azure), else the identity. */
export function armCredential(cfg: Readonly<Config>): TokenCredential {
  const token = new SecretStore(cfg.dataDir).peek(ARM_TOKEN_SECRET);
  if (!token) return identityCredential(cfg);
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + HANDED_IN_TOKEN_MS }),
  };
}
