import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createSerializer, type CompositeMapper } from '@azure/core-client';
import { renderTemplate } from '../../src/azure/arm/template.js';
import { loadConfig } from '../../src/config/load.js';

const ISSUER =
  'https://koreacentral.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/11111111-1111-1111-1111-111111111111/';
const TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials';

test('azure template: the federated identity credential of AKS workload identity, once the cluster’s OIDC issuer is configured', async () => {
  assert.equal(
    renderTemplate(loadConfig({ env: {} })).resources.some((r) => r.type === TYPE),
    false,
    'no issuer (the cluster does not exist yet): nothing to federate',
  );
  const cfg = loadConfig({ env: {}, overrides: { k8s: { workloadIdentity: { oidcIssuerUrl: ISSUER } } } });
  const fic = renderTemplate(cfg).resources.find((r) => r.type === TYPE)!;
  assert.equal(fic.name, 'bill-inquiry-service-identity/bill-inquiry-service-sa');
  assert.deepEqual(fic.dependsOn, [
    "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'bill-inquiry-service-identity')]",
  ]);
  const properties = {
    issuer: ISSUER,
    subject: 'system:serviceaccount:phonebill-prod:bill-inquiry-service-sa',
    audiences: ['api://AzureADTokenExchange'],
  };
  assert.deepEqual(fic.properties, properties);
  // The JSON names are the REST API's: the SDK's own mapper reads and writes them unchanged.
  const mappers = (await import(
    pathToFileURL(path.resolve('node_modules/@azure/arm-msi/dist/esm/models/mappers.js')).href
  )) as Record<string, CompositeMapper>;
  const serializer = createSerializer(mappers);
  const mapper = mappers.FederatedIdentityCredential!;
  const body = { properties };
  assert.deepEqual(serializer.serialize(mapper, serializer.deserialize(mapper, body, 'body'), 'body'), body);
});
