import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderIdentitySql } from '../../src/azure/identitySql.js';
import { loadConfig } from '../../src/config/load.js';

const cfg = loadConfig({ env: {} });
const OID = '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

test('the Entra admin maps the managed identity to a role with Azure’s function, bound to its object id, idempotently', () => {
  const { entraAdmin } = renderIdentitySql(cfg, OID);
  assert.match(entraAdmin, /^-- 1\/2, as the Entra admin phonebill-admin \(§3\.3\), on database postgres:/);
  assert.match(entraAdmin, /az account get-access-token --resource-type oss-rdbms/);
  assert.match(
    entraAdmin,
    /IF NOT EXISTS \(SELECT 1 FROM pg_roles WHERE rolname = 'bill-inquiry-service-identity'\) THEN\n {4}PERFORM pgaadauth_create_principal_with_oid\('bill-inquiry-service-identity', '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', 'service', false, false\);/,
  );
  assert.doesNotMatch(
    entraAdmin,
    /GRANT/,
    'the Entra admin does not hold ADMIN OPTION on bill_app_user (PostgreSQL 16+)',
  );
});

test('without the object id Azure looks the identity up by name', () => {
  const { entraAdmin } = renderIdentitySql(cfg);
  assert.match(entraAdmin, /PERFORM pgaadauth_create_principal\('bill-inquiry-service-identity', false, false\);/);
});

test("the server admin who created bill_app_user grants its privileges to the identity's role (quoted: the name has dashes)", () => {
  const { serverAdmin } = renderIdentitySql(cfg, OID);
  assert.match(serverAdmin, /^-- 2\/2, as the server admin postgres /);
  assert.match(serverAdmin, /\nGRANT "bill_app_user" TO "bill-inquiry-service-identity";\n$/);
});

test('names come from config and are quoted against injection', () => {
  const other = loadConfig({
    env: {},
    overrides: {
      azure: { serviceIdentityName: "o'brien" },
      database: { roles: { app: 'App User' } },
      service: { database: { primary: { host: 'h', port: 5432 }, entra: { user: 'svc"x' } } },
    },
  });
  const sql = renderIdentitySql(other, OID);
  assert.match(sql.entraAdmin, /rolname = 'svc"x'/, 'service.database.entra.user wins over the identity name');
  assert.match(sql.serverAdmin, /GRANT "App User" TO "svc""x";/);
});
