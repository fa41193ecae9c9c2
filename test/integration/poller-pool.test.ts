import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PoolClient } from 'pg';
import { eventually, globalSetupBase, merchantCall, startStackOn, testMerchant, type TestStack } from '../support/stack';
import { withOwnDatabase } from '../support/own-database';
import { unifiedOrderFields } from '../support/requests';
import { createPool, type Pool } from '../../db/pool';

// The worker's poller runs over a PostgreSQL pool of its own (POLL_PG_POOL_MAX), apart from the pool the order path's
// steps use. A database of its own, so that only this stack's poller can be the one moving its order's poll count.
let stack: TestStack;
let observer: Pool;

beforeAll(async () => {
  stack = await startStackOn(await withOwnDatabase(globalSetupBase()), { POLL_SCHEDULE: '100ms', POLL_PG_POOL_MAX: '2' });
  observer = createPool(stack.env.DATABASE_URL!, 1);
});
afterAll(async () => {
  await observer?.end();
  await stack?.stop();
});

const pollCount = async (orderId: string) =>
  (await observer.query<{ poll_count: number }>('SELECT poll_count FROM orders WHERE order_id = $1', [orderId])).rows[0]!.poll_count;

describe('the poller\'s own pool', () => {
  it('keeps polling while every connection of the order path\'s pool is taken', async () => {
    const merchant = await testMerchant(stack.pool);
    const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: 'http://127.0.0.1:9/n' }));
    expect(placed.body.respCode).toBe('000000');
    const orderId = placed.body.orderId!;
    await eventually(async () => (await pollCount(orderId)) >= 1, 10_000, 'a first poll');
    // The stack's pool (5 connections) is the one its API and its worker's activities use: take all of it.
    const held: PoolClient[] = [];
    try {
      for (let i = 0; i < 5; i++) held.push(await stack.pool.connect());
      expect(stack.pool.totalCount - stack.pool.idleCount).toBe(5);
      const before = await pollCount(orderId);
      await eventually(async () => (await pollCount(orderId)) >= before + 3, 10_000, 'three more polls with the order pool taken');
    } finally {
      for (const client of held) client.release();
    }
  });
});
