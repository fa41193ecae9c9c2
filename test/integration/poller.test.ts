import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, startStack, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { findOrderById, listEvents } from '../../db/orders';
import { claimDuePolls } from '../../db/due-polls';
import { listChannelCalls, recordChannelCall, type ChannelCall } from '../../db/channel-calls';
import { supportCall } from '../support/support-call';
import { randomBytes, randomUUID } from 'node:crypto';
import { createPool, inTransaction } from '../../db/pool';
import { migrate } from '../../db/migrate';
import { insertOrder } from '../../db/orders';
import { parseUnifiedOrder } from '../../api/schemas/unified-order';
import { requestHash } from '../../api/request-hash';
import { orderWorkflowId } from '../../domain/order';
import { newOrderId } from '../../domain/order-id';
import type { TestMerchant as Merchant } from '../support/stack-core';

// The workers' poller (polling/poller.ts): open orders are polled with backoff outside their workflows, and a final
// channel result wakes the workflow. Here the sandbox's callback is "lost": its books are changed directly.
let stack: TestStack;
let merchant: Merchant;

beforeAll(async () => {
  stack = await startStack({ POLL_SCHEDULE: '150ms,300ms' });
  merchant = await testMerchant(stack.pool);
});
afterAll(async () => {
  await stack?.stop();
});

const pollCount = async (orderId: string) =>
  (await stack.pool.query<{ poll_count: number; next_poll_at: Date | null }>('SELECT poll_count, next_poll_at FROM orders WHERE order_id = $1', [orderId])).rows[0]!;
/** Polls the channel has answered (with this status), as recorded; poll_count also counts a poll claimed but not yet answered. */
const answeredPolls = async (orderId: string, status?: string) =>
  (await listChannelCalls(stack.pool, orderId))
    .filter((c) => c.op === 'query' && (status === undefined || c.status === status))
    .reduce((n, c) => n + c.repeats, 0);

describe('channel status poller', () => {
  it('finds a payment whose callback never came, wakes the workflow, notifies the merchant, and stops polling', async () => {
    const receiver = await new MerchantReceiver().start();
    try {
      const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url }));
      const orderId = placed.body.orderId!;
      // Polled while pending, along the backoff schedule. Waits for two PENDING answers recorded, not for poll_count:
      // the claim counts a poll before the channel is asked, so that poll could still see the payment below.
      await eventually(async () => (await answeredPolls(orderId, 'PENDING')) >= 2, 10_000, 'two PENDING answers');
      await stack.pool.query("UPDATE sandbox_orders SET status = 'paid', paid_at = now() WHERE order_id = $1", [orderId]);
      await receiver.waitFor(1, 15_000);
      expect(receiver.received[0]!.body).toMatchObject({ orderId, payStatus: 'p0000' });
      const order = await eventually(async () => {
        const o = await findOrderById(stack.pool, orderId);
        return o?.payStatus === 'p0000' ? o : null;
      }, 10_000, 'paid');
      expect(order.payStatus).toBe('p0000');
      const paid = (await listEvents(stack.pool, orderId)).find((e) => e.type === 'paid');
      expect(paid?.detail).toMatchObject({ source: 'poll' });
      // A final order is no longer polled.
      const after = await pollCount(orderId);
      expect(after.next_poll_at).toBeNull();
      // Every poll is in channel_calls, the pending ones folded into one row: one row per answer that changed.
      const queries = (await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'query');
      expect(queries.map((c) => c.status)).toEqual(['PENDING', 'SUCCESS']);
      expect(queries[0]!.repeats).toBeGreaterThanOrEqual(2);
      expect(queries.reduce((n, c) => n + c.repeats, 0)).toBe(after.poll_count);
    } finally {
      await receiver.stop();
    }
  });

  it("a query answering what the order's latest call answered folds into that row; anything else is a row of its own", async () => {
    const orderId = `FOLD${Date.now()}`;
    const t0 = Date.parse('2026-12-07T00:00:00Z');
    const call = (op: ChannelCall['op'], status: string, at: number, latencyMs: number, error: string | null = null) =>
      recordChannelCall(stack.pool, { orderId, channel: 'sandbox', op, status, latencyMs, error, calledAtMs: t0 + at });
    await call('create', 'CREATED', 0, 5);
    await call('query', 'PENDING', 1_000, 7);
    await call('query', 'PENDING', 2_000, 30);
    await call('query', 'PENDING', 3_000, 9);
    await call('query', 'UNKNOWN', 4_000, 3_000, 'timeout');
    await call('query', 'UNKNOWN', 5_000, 3_000, 'timeout');
    await call('query', 'UNKNOWN', 6_000, 12, 'connection refused');
    await call('query', 'PENDING', 7_000, 8);
    await call('close', 'SUCCESS', 8_000, 6);
    await call('close', 'SUCCESS', 9_000, 6);
    await call('refund_query', 'PENDING', 10_000, 4);
    await call('refund_query', 'PENDING', 11_000, 5);
    const rows = await listChannelCalls(stack.pool, orderId);
    expect(rows.map((r) => [r.op, r.status, r.error, r.repeats, r.latencyMs, r.calledAtMs - t0, r.lastCalledAtMs === null ? null : r.lastCalledAtMs - t0])).toEqual([
      ['create', 'CREATED', null, 1, 5, 0, null],
      ['query', 'PENDING', null, 3, 30, 1_000, 3_000],
      ['query', 'UNKNOWN', 'timeout', 2, 3_000, 4_000, 5_000],
      ['query', 'UNKNOWN', 'connection refused', 1, 12, 6_000, null],
      ['query', 'PENDING', null, 1, 8, 7_000, null],
      ['close', 'SUCCESS', null, 1, 6, 8_000, null],
      ['close', 'SUCCESS', null, 1, 6, 9_000, null],
      ['refund_query', 'PENDING', null, 2, 5, 10_000, 11_000],
    ]);
  });

  it('the support timeline shows a folded run as one entry with its count and its last time', async () => {
    const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: 'http://127.0.0.1:9/n' }));
    const orderId = placed.body.orderId!;
    await eventually(async () => (await answeredPolls(orderId, 'PENDING')) >= 2, 10_000, 'two PENDING answers');
    const { status, body: t } = await supportCall<{ channelCalls: { op: string; status: string; repeats: number; at: string; lastAt: string | null }[]; timeline: { source: string; summary: string }[] }>(
      stack.api.adminUrl, 'GET', `/support/v1/orders/${orderId}`,
    );
    expect(status).toBe(200);
    const polls = t.channelCalls.filter((c) => c.op === 'query');
    expect(polls).toHaveLength(1);
    expect(polls[0]).toMatchObject({ status: 'PENDING' });
    expect(polls[0]!.repeats).toBeGreaterThanOrEqual(2);
    expect(Date.parse(polls[0]!.lastAt!)).toBeGreaterThan(Date.parse(polls[0]!.at));
    const entry = t.timeline.find((e) => e.source === 'channel_call' && e.summary.includes('query'));
    expect(entry?.summary).toContain(`${polls[0]!.repeats} calls with this answer, the last at ${polls[0]!.lastAt}`);
  });

  it('concurrent pollers claim disjoint orders, and each claim moves the order along the schedule', async () => {
    // A database of its own: every test stack's poller claims due orders in the shared one, and would race the two
    // claims below for these orders.
    const shared = createPool(stack.env.DATABASE_URL!, 1);
    const name = `own_${randomUUID().replace(/-/g, '')}`;
    await shared.query(`CREATE DATABASE ${name}`).finally(() => shared.end());
    const url = new URL(stack.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    const pool = createPool(url.toString(), 4);
    try {
      await migrate(pool);
      const owner = await testMerchant(pool);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const fields = { ...unifiedOrderFields({ notifyUrl: 'http://127.0.0.1:9/n' }), mercNo: owner.mercNo };
        const draft = { ...parseUnifiedOrder(fields, 'MD5', Date.now()), livemode: false };
        const orderId = newOrderId(Date.now(), randomBytes(8).readBigUInt64BE());
        await inTransaction(pool, (tx) => insertOrder(tx, {
          orderId, workflowId: orderWorkflowId(owner.mercNo, draft.mercOrderNo), requestHash: requestHash(fields, 'test'),
          channel: 'sandbox', draft, firstPollDelayMs: 0, watchUntilMs: null,
        }));
        ids.push(orderId);
      }
      // All due now; two pollers claim at once with a long schedule so nothing is due again during the test.
      await pool.query("UPDATE orders SET next_poll_at = now() - interval '1 second' WHERE order_id = ANY($1)", [ids]);
      const [a, b] = await Promise.all([claimDuePolls(pool, [3_600_000], 1000), claimDuePolls(pool, [3_600_000], 1000)]);
      const claimed = [...a, ...b].map((d) => d.orderId);
      expect(new Set(claimed).size).toBe(claimed.length);
      expect(new Set(claimed)).toEqual(new Set(ids));
      const next = await pool.query<{ s: number }>('SELECT min(extract(epoch FROM next_poll_at - now()))::float AS s FROM orders WHERE order_id = ANY($1)', [ids]);
      expect(next.rows[0]!.s).toBeGreaterThan(3000);
    } finally {
      await pool.end();
    }
  });

  it('an order the sandbox does not have in its books (its create still on the way) is polled as pending, never failed', async () => {
    const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: 'http://127.0.0.1:9/n' }));
    const orderId = placed.body.orderId!;
    // As when the create activity is retrying through a fault while the poller already looks.
    await stack.pool.query('DELETE FROM sandbox_orders WHERE order_id = $1', [orderId]);
    const before = await answeredPolls(orderId);
    await eventually(async () => (await answeredPolls(orderId)) >= before + 2, 10_000, 'two more answered polls');
    expect((await findOrderById(stack.pool, orderId))?.payStatus).toBe('p0002');
    expect((await listEvents(stack.pool, orderId)).map((e) => e.type)).not.toContain('failed');
  });
});
