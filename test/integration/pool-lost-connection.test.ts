import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type pg from 'pg';
import { createPool, inTransaction } from '../../db/pool';

// A connection that PostgreSQL ends (57P01, as on a restart or `pg_terminate_backend`) while the API or the worker
// holds it must fail the statement that needed it, never the process: the full chaos run once lost the API this way
// (an unhandled 'error' event on a checked-out pg client during a PostgreSQL burst).
describe('a pooled connection lost while checked out', () => {
  let pool: pg.Pool;
  let admin: pg.Pool;

  beforeAll(async () => {
    pool = createPool(inject('databaseUrl'), 2);
    admin = createPool(inject('databaseUrl'), 1);
    await pool.query('CREATE TABLE IF NOT EXISTS pool_lost_connection (id text PRIMARY KEY)');
  });
  afterAll(async () => {
    await pool.query('DROP TABLE IF EXISTS pool_lost_connection');
    await Promise.all([pool.end(), admin.end()]);
  });

  /** Resolves when the client's connection has closed (events.once would reject on the 'error' event that precedes it). */
  function whenClosed(client: pg.PoolClient): Promise<void> {
    return new Promise((resolve) => client.once('end', () => resolve()));
  }

  async function terminate(pid: number) {
    const { rows } = await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid]);
    expect(rows[0]!.ok).toBe(true);
  }

  it('a client handed out by pool.connect() has an error listener before its holder adds one, and survives the kill', async () => {
    const client = await pool.connect();
    expect(client.listenerCount('error')).toBeGreaterThan(0);
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const ended = whenClosed(client);
    await terminate(rows[0]!.pid); // PostgreSQL sends FATAL 57P01 to an idle, checked-out client, then closes it
    await ended;
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(new Error('lost'));
    const after = await pool.query<{ one: number }>('SELECT 1 AS one');
    expect(after.rows[0]!.one).toBe(1);
  });

  it('a transaction whose connection dies between two statements rejects, writes nothing, and the pool goes on', async () => {
    const outcome = inTransaction(pool, async (tx) => {
      await tx.query(`INSERT INTO pool_lost_connection (id) VALUES ('half-written')`);
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const ended = whenClosed(tx);
      await terminate(rows[0]!.pid);
      await ended;
      await tx.query(`INSERT INTO pool_lost_connection (id) VALUES ('second')`);
    });
    await expect(outcome).rejects.toThrow();
    const { rows } = await pool.query('SELECT id FROM pool_lost_connection');
    expect(rows).toEqual([]);
  });

  it('a client released without naming the failure is discarded, not reused', async () => {
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const ended = whenClosed(client);
    await terminate(rows[0]!.pid);
    await ended;
    client.release();
    const next = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(next.rows[0]!.pid).not.toBe(rows[0]!.pid);
  });
});
