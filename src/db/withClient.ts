import pg from 'pg';
import { clientConfig, type ConnTarget } from './connection.js';

/** One short-lived connection for housekeeping work: connect, run `fn`, always close. */
export async function withClient<T>(
  target: ConnTarget,
  fn: (client: pg.Client) => Promise<T>,
  extra: Partial<pg.ClientConfig> = {},
): Promise<T> {
  const client = new pg.Client(clientConfig(target, extra));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Rows of one statement on a short-lived connection. */
export const queryOnce = <T extends pg.QueryResultRow = pg.QueryResultRow>(
  target: ConnTarget,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> => withClient(target, async (c) => (await c.query<T>(sql, params)).rows);
