import type { TokenCredential } from '@azure/identity';

/**
 * The one way this tool signs in as an Azure identity (Entra sign-in to
 * PostgreSQL, Monitor, ARM, Blob storage): the user-assigned managed identity
 * by client id, else DefaultAzureCredential (workload identity on AKS, a VM's
 * identity, a developer's az login). @azure/identity loads on the first token,
 * so a run that never reaches Azure never loads it.
 */
export function azureIdentity(clientId: string | undefined): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes, options) {
      credential ??= import('@azure/identity').then((m) =>
        clientId ? new m.ManagedIdentityCredential({ clientId }) : new m.DefaultAzureCredential(),
      );
      return (await credential).getToken(scopes, options);
    },
  };
}
