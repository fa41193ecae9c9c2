import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/**
 * A pool whose clients never crash the process when their connection dies (a PostgreSQL restart, 57P01 "terminating
 * connection", a reset socket). pg reports a lost connection as an `'error'` event on the client, and an `'error'`
 * event nobody listens to is thrown. pg-pool listens only while a client is idle: from the moment it hands a client
 * out (`pool.connect()` resolves a promise, so the caller's own listener comes a microtask later, after any message
 * already parsed from the same socket read) until it is released, a dying connection would end the process. So every
 * client gets a listener of its own as it is created, for its whole life. The broken client is then not queryable:
 * its pending and next statements reject, and pg-pool discards it on release instead of keeping it idle.
 */
export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 });
  pool.on('connect', (client) => client.on('error', ignoreLostConnection));
  // An idle client losing its connection: pg-pool has already removed it; the next query opens a new one.
  pool.on('error', ignoreLostConnection);
  return pool;
}

function ignoreLostConnection(): void {
  // The statement that needed the connection rejects on its own and its caller handles that; nothing to do here.
}

/**
 * Runs `fn` in one transaction; rolls back on any error. A client whose connection broke is not queryable any more,
 * and pg-pool discards such a client on release instead of keeping it (createPool's listener keeps the process up).
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
