import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { createPool, type Pool } from '../../db/pool';
import { createLogger } from '../../config/logger';
import { createOrderRecordActivities, IDENTITY_MISMATCH } from '../../activities/order-records';
import { parseUnifiedOrder } from '../../api/schemas/unified-order';
import { listEvents } from '../../db/orders';
import { newOrderId } from '../../domain/order-id';
import { orderWorkflowId } from '../../domain/order';
import type { ChannelRegistry } from '../../domain/channels';
import { testMerchant } from '../support/stack';
import { unifiedOrderFields } from '../support/requests';

// The read-model insert against real PostgreSQL: the same open is idempotent, and an order whose identity does not
// match what is stored fails non-retryably instead of looping.
let pool: Pool;
beforeAll(() => {
  pool = createPool(inject('databaseUrl'), 2);
});
afterAll(async () => {
  await pool?.end();
});

const freshId = () => newOrderId(Date.now(), randomBytes(8).readBigUInt64BE());

async function openArgs() {
  const merchant = await testMerchant(pool);
  const draft = parseUnifiedOrder(unifiedOrderFields({ mercNo: merchant.mercNo }), 'MD5', Date.now());
  return { orderId: freshId(), workflowId: orderWorkflowId(draft.mercNo, draft.mercOrderNo), requestHash: 'h', channel: 'sandbox' as const, draft };
}

function failureOf(err: unknown): ApplicationFailure {
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('order identity and guarded transitions in the read model', () => {
  const acts = () => createOrderRecordActivities({
    pool, channels: {} as ChannelRegistry /* no watch window needed here */, log: createLogger('silent', 'test'), notifyTimeoutMs: 1000, pollScheduleMs: [60_000],
  });

  it('opening the same order again (a retried or replayed activity) finds its own row and records one created event', async () => {
    const a = await openArgs();
    await acts().openOrder(a);
    await acts().openOrder(a);
    const created = (await listEvents(pool, a.orderId)).filter((e) => e.type === 'created');
    expect(created).toHaveLength(1);
  });

  it('the same merchant order under another orderId fails non-retryably, and the stored order is untouched', async () => {
    const a = await openArgs();
    await acts().openOrder(a);
    const other = freshId();
    const err = failureOf(await acts().openOrder({ ...a, orderId: other }).catch((e: unknown) => e));
    expect(err.type).toBe(IDENTITY_MISMATCH);
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toContain(a.orderId);
    expect(await listEvents(pool, other)).toHaveLength(0);
    const { rows } = await pool.query('SELECT order_id FROM orders WHERE merc_no = $1 AND merc_order_no = $2', [a.draft.mercNo, a.draft.mercOrderNo]);
    expect(rows).toEqual([{ order_id: a.orderId }]);
  });

  it('an orderId that already belongs to another merchant order fails non-retryably', async () => {
    const a = await openArgs();
    await acts().openOrder(a);
    const b = await openArgs();
    const err = failureOf(await acts().openOrder({ ...b, orderId: a.orderId }).catch((e: unknown) => e));
    expect(err.type).toBe(IDENTITY_MISMATCH);
    expect(err.nonRetryable).toBe(true);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM orders WHERE merc_no = $1', [b.draft.mercNo]);
    expect(rows[0].n).toBe(0);
  });

  it('a refused transition tells a repeat of the same write (applied) from a status decided otherwise (held, to adopt)', async () => {
    const a = await openArgs();
    await acts().openOrder(a);
    const toPending = { orderId: a.orderId, from: ['p0001'] as const, to: 'p0002' as const, eventKey: 'pending', eventType: 'channel_created' };
    expect(await acts().transition({ ...toPending, from: [...toPending.from] })).toMatchObject({ applied: true, payStatus: 'p0002' });
    // The same write again (a retried activity): the row is there with its event.
    expect(await acts().transition({ ...toPending, from: [...toPending.from] })).toMatchObject({ applied: true, payStatus: 'p0002' });
    const cancel = { orderId: a.orderId, from: ['p0002' as const], to: 'p0005' as const, tradeEndTime: '20261122100500', eventKey: 'cancelled', eventType: 'cancelled' };
    expect(await acts().transition(cancel)).toMatchObject({ applied: true, payStatus: 'p0005' });
    // A retried task that decided otherwise: the read model holds p0005, which the workflow adopts.
    const fail = { orderId: a.orderId, from: ['p0002' as const], to: 'p0004' as const, tradeEndTime: '20261122100600', eventKey: 'failed', eventType: 'failed' };
    expect(await acts().transition(fail)).toEqual({ applied: false, payStatus: 'p0005', tradeEndTime: '20261122100500', latePayment: false });
    expect((await listEvents(pool, a.orderId)).map((e) => e.type)).toEqual(['created', 'channel_created', 'cancelled']);
  });

  it('a transition to the status the read model already holds under another event key is not applied, and logged as expected, not as a conflict', async () => {
    const a = await openArgs();
    await acts().openOrder(a);
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString())); done(); } });
    const logged = createOrderRecordActivities({
      pool, channels: {} as ChannelRegistry, log: createLogger('info', 'test', sink), notifyTimeoutMs: 1000, pollScheduleMs: [60_000],
    });
    const paid = { orderId: a.orderId, from: ['p0001' as const], to: 'p0000' as const, tradeEndTime: '20261122100500', eventKey: 'paid', eventType: 'channel_success' };
    expect(await logged.transition(paid)).toMatchObject({ applied: true, payStatus: 'p0000' });
    // The post-close late report's own key, finding the payment already recorded by the order workflow.
    const late = { ...paid, from: ['p0005' as const, 'p0006' as const], eventKey: 'late-report:paid', eventType: 'late_payment', latePayment: true };
    expect(await logged.transition(late)).toMatchObject({ applied: false, payStatus: 'p0000', latePayment: false });
    // A status decided otherwise is still a warning.
    const failed = { ...paid, from: ['p0002' as const], to: 'p0004' as const, eventKey: 'failed', eventType: 'failed' };
    expect(await logged.transition(failed)).toMatchObject({ applied: false, payStatus: 'p0000' });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [30, 'transition not applied: the read model already holds this status, set by another event'],
      [40, 'transition refused: the read model holds another status'],
    ]);
    expect((await listEvents(pool, a.orderId)).map((e) => e.type)).toEqual(['created', 'channel_success']);
  });
});
