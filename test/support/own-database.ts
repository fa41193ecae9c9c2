import { randomUUID } from 'node:crypto';
import { createPool } from '../../db/pool';
import { migrate } from '../../db/migrate';
import type { StackBase } from './stack-core';

/**
 * The same servers with a PostgreSQL database of its own, migrated. Test stacks share one database, and every stack's
 * poller polls every open order in it with its own channel settings; a test that counts a channel's answers (the
 * circuit breaker) needs only its own orders to be polled.
 */
export async function withOwnDatabase(base: StackBase): Promise<StackBase> {
  const url = new URL(base.databaseUrl);
  const name = `own_${randomUUID().replace(/-/g, '')}`;
  const admin = createPool(base.databaseUrl, 1);
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), 1);
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  return { ...base, databaseUrl: url.toString() };
}
