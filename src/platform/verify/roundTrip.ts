import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { connect } from '../connect.js';
import { UPDATED_AT_TABLES } from '../schemaManifest.js';
import { asRole, check, expect, pass, type Check, type VerifyContext } from './check.js';

const PAST = '2000-01-01T00:00:00Z';

/** Rows for each table with an updated_at trigger, stamped in the past so an UPDATE must move it. */
function probeRow(
  table: (typeof UPDATED_AT_TABLES)[number],
  key: string,
  requestId: string,
): { insert: string[]; params: unknown[]; update: string } {
  const bill = `INSERT INTO bill_inquiry_history (request_id, user_id, line_number, request_time, status, updated_at) VALUES ($1::text, 'verify', '01000000000', uuid_v7_time($1::text), 'PROCESSING', '${PAST}')`;
  switch (table) {
    case 'system_config':
      return {
        insert: [`INSERT INTO system_config (config_key, config_value, updated_at) VALUES ($1, 'x', '${PAST}')`],
        params: [key],
        update: `UPDATE system_config SET config_value = 'y' WHERE config_key = $1 RETURNING updated_at`,
      };
    case 'customer_info':
      return {
        insert: [
          `INSERT INTO customer_info (customer_id, line_number, customer_name, status, operator_code, expires_at, updated_at) VALUES ($1, $1, 'x', 'ACTIVE', 'KT', now(), '${PAST}')`,
        ],
        params: [key.slice(0, 20)],
        update: `UPDATE customer_info SET status = 'INACTIVE' WHERE customer_id = $1 RETURNING updated_at`,
      };
    case 'bill_inquiry_history':
      return {
        insert: [bill],
        params: [requestId],
        update: `UPDATE bill_inquiry_history SET status = 'COMPLETED' WHERE request_id = $1 RETURNING updated_at`,
      };
    case 'kos_inquiry_history':
      return {
        insert: [
          bill,
          `INSERT INTO kos_inquiry_history (bill_request_id, bill_request_time, line_number, request_time, updated_at) VALUES ($1::text, uuid_v7_time($1::text), '01000000000', uuid_v7_time($1::text), '${PAST}')`,
        ],
        params: [requestId],
        update: `UPDATE kos_inquiry_history SET result_code = '0000' WHERE bill_request_id = $1 RETURNING updated_at`,
      };
  }
}

/** §13.1 connection info, database size and CRUD round trip as the application; updated_at triggers proven by an UPDATE. */
export async function roundTripChecks(vc: VerifyContext): Promise<Check[]> {
  const key = `verify.${randomUUID().slice(0, 8)}`;
  return [
    await check('conninfo.app', () =>
      asRole(vc, 'app', async (c) => {
        const r = (
          await c.query<{ user: string; db: string; addr: string; port: number; ssl: boolean; version: string }>(
            `SELECT current_user AS user, current_database() AS db, inet_server_addr()::text AS addr, inet_server_port() AS port, s.ssl, s.version
         FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()`,
          )
        ).rows[0]!;
        const tlsOk = r.ssl && ['TLSv1.2', 'TLSv1.3'].includes(r.version);
        return expect(tlsOk, `user=${r.user} db=${r.db} server=${r.addr}:${r.port} ssl=${r.ssl} ${r.version}`);
      }),
    ),
    await check('database.size', async () => {
      const r = (
        await vc.db.query<{ size: string }>('SELECT pg_size_pretty(pg_database_size($1)) AS size', [
          vc.cfg.database.name,
        ])
      ).rows[0]!;
      return pass(`${vc.cfg.database.name} is ${r.size}`);
    }),
    // Committed for real, like the plan's §13.1 script, then deleted: the service sees a NOTIFY of each.
    await check('crud.system_config.app', async () => {
      const steps: string[] = [];
      const client = await connect(vc.cfg, vc.roleTarget('app'));
      try {
        steps.push(
          `insert ${(await client.query(`INSERT INTO system_config (config_key, config_value, description) VALUES ($1, 'test_value', 'Test configuration')`, [key])).rowCount}`,
        );
        steps.push(
          `select ${(await client.query('SELECT * FROM system_config WHERE config_key = $1', [key])).rowCount}`,
        );
        steps.push(
          `update ${(await client.query(`UPDATE system_config SET config_value = 'test_value2' WHERE config_key = $1`, [key])).rowCount}`,
        );
        steps.push(`delete ${(await client.query('DELETE FROM system_config WHERE config_key = $1', [key])).rowCount}`);
      } finally {
        await client.query('DELETE FROM system_config WHERE config_key = $1', [key]).catch(() => {});
        await client.end().catch(() => {});
      }
      return expect(
        steps.every((s) => s.endsWith(' 1')),
        `as ${vc.cfg.database.roles.app}: ${steps.join(', ')}`,
      );
    }),
    ...(await Promise.all(
      UPDATED_AT_TABLES.map((table) =>
        check(`trigger.updated_at.${table}`, () =>
          asRole(vc, 'app', async (c) => {
            const p = probeRow(table, key, uuidv7());
            for (const sql of p.insert) await c.query(sql, p.params);
            const updated = (await c.query<{ updated_at: Date }>(p.update, p.params)).rows[0]?.updated_at;
            return expect(
              Boolean(updated && updated.getTime() > Date.parse(PAST)),
              `UPDATE moved updated_at from ${PAST} to ${updated?.toISOString()}`,
            );
          }),
        ),
      ),
    )),
  ];
}
