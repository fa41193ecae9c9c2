import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, TEST_OPERATORS, testMerchant, type TestOperator } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { eventTypes, orderOf, PLATFORM_APP_ID, PLATFORM_APP_KEY, postNotify, startIpaynowStack, type IpaynowStack } from '../support/ipaynow';
import { listEvents } from '../../db/orders';
import { listReviewsOf } from '../../db/order-reviews';
import { formatCompactTime } from '../../domain/time';
import { emulatorSign } from '../../emulator/ipaynow/sign';
import type { TestMerchant as Merchant } from '../support/stack-core';

// UNKNOWN is never final, and what software cannot settle goes to a person: IPayNow through its emulator, on the real
// API + worker + Temporal + PostgreSQL. Expiry is seconds away (tradeTime backdated), the unknown schedule and the
// escalation bound are milliseconds.
let s: IpaynowStack;
const receivers: MerchantReceiver[] = [];

beforeAll(async () => {
  s = await startIpaynowStack({
    POLL_SCHEDULE: '200ms', NOTIFY_RETRY_SCHEDULE: '150ms,300ms', UNKNOWN_RETRY_SCHEDULE: '100ms,200ms',
    UNKNOWN_ESCALATE_AFTER: '600ms', CHANNEL_WATCH_MARGIN: '1s',
  });
});
afterEach(async () => {
  s.emulator.controls.resetFaults();
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await s?.stop();
});

async function placeOrder(merchant: Merchant, secondsToExpiry: number) {
  const receiver = await new MerchantReceiver().start();
  receivers.push(receiver);
  const fields = unifiedOrderFields({
    notifyUrl: receiver.url, orderPeriod: '1', tradeTime: formatCompactTime(Date.now() - (60 - secondsToExpiry) * 1000),
  });
  const res = await merchantCall(s.stack.api.url, '/api/pay', merchant, fields);
  expect(res.body.respCode).toBe('000000');
  return { receiver, orderId: res.body.orderId! };
}

const support = async (method: string, path: string, body?: unknown, operator: TestOperator = 'ops-alice') => {
  const res = await fetch(`${s.stack.api.adminUrl}/support/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${TEST_OPERATORS[operator]}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const mq002After = (orderId: string, ms: number) => s.emulator.controls.calls(orderId).filter((c) => c.funcode === 'MQ002' && c.atMs >= ms);

describe('an unknown channel result at expiry', () => {
  it('keeps being asked (never p0006), goes to the human queue past the bound, and a person\'s decision is applied and audited', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { receiver, orderId } = await placeOrder(merchant, 2);
    s.emulator.controls.setFaults({ notify: { mode: 'never' }, unknownResult: { MQ002: true } });
    const order = await orderOf(s.stack, orderId);
    // Past expiry it is still open and still asked.
    await eventually(async () => (mq002After(orderId, order.expireAtMs).length >= 3 ? true : null), 15_000, 'queries after expiry');
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002');

    const queue = await eventually(async () => {
      const q = await support('GET', `/ambiguous?mercNo=${merchant.mercNo}`);
      return q.body.orders?.length ? q.body : null;
    }, 15_000, 'the order in the human queue');
    expect(queue.orders[0]).toMatchObject({ orderId, kind: 'unknown_result', payStatus: 'p0002' });
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002');
    expect(receiver.received).toHaveLength(0);

    const refused = await support('POST', `/orders/${orderId}/resolve`, { decision: 'maybe', reason: 'x' });
    expect(refused.status).toBe(400);
    // Who decides is the authenticated operator, never a name in the body.
    const selfNamed = await support('POST', `/orders/${orderId}/resolve`, { decision: 'unpaid', reason: 'x', actor: 'ops-bob' });
    expect(selfNamed.status).toBe(400);
    expect(selfNamed.body.error).toMatchObject({ code: 'invalid_request', message: 'actor is not a known field' });
    const resolved = await support('POST', `/orders/${orderId}/resolve`, {
      decision: 'unpaid', reason: 'IPayNow portal shows the order closed unpaid',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ orderId, payStatus: 'p0006', review: { decision: 'unpaid', actor: 'ops-alice' } });
    await receiver.waitFor(1);
    expect(receiver.received[0]!.body.payStatus).toBe('p0006');
    const events = await listEvents(s.stack.pool, orderId);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['review_opened', 'resolved_unpaid', 'review_resolved']));
    expect(events.find((e) => e.type === 'review_resolved')).toMatchObject({ actor: 'ops-alice', detail: { actor: 'ops-alice', decision: 'unpaid' } });
    expect(events.find((e) => e.type === 'resolved_unpaid')!.actor).toBe('ops-alice');
    expect(events.find((e) => e.type === 'review_opened')!.actor).toBeNull();
    expect((await support('GET', `/ambiguous?mercNo=${merchant.mercNo}`)).body.total).toBe(0);
    // Resolved once: a second decision is refused.
    expect((await support('POST', `/orders/${orderId}/resolve`, { decision: 'paid', reason: 'x' }, 'ops-bob')).status).toBe(409);
  });

  it('is settled by the channel\'s next clear answer: paid after all, with no person needed', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { receiver, orderId } = await placeOrder(merchant, 2);
    s.emulator.controls.setFaults({ notify: { mode: 'never' }, unknownResult: { MQ002: true } });
    s.emulator.controls.pay(orderId);
    const order = await orderOf(s.stack, orderId);
    await eventually(async () => (mq002After(orderId, order.expireAtMs).length >= 2 ? true : null), 15_000, 'queries after expiry');
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002');
    s.emulator.controls.setFaults({ unknownResult: { MQ002: false } });
    await receiver.waitFor(1);
    expect(receiver.received[0]!.body.payStatus).toBe('p0000');
    expect(await eventTypes(s.stack, orderId)).not.toContain('expired');
  });
});

describe('closed IPayNow orders are watched until IPayNow\'s own timeout', () => {
  it('money taken after our close (no N001) is found by polling and follows the late-payment rule', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { receiver, orderId } = await placeOrder(merchant, 50);
    s.emulator.controls.setFaults({ notify: { mode: 'never' } });
    const closed = await merchantCall(s.stack.api.url, '/api/close', merchant, { mercOrderNo: (await orderOf(s.stack, orderId)).mercOrderNo });
    expect(closed.body).toMatchObject({ respCode: '000000', payStatus: 'p0005' });
    // IPayNow's close is only local: the payer can still pay there.
    expect(s.emulator.controls.pay(orderId).paid).toBe(true);
    await eventually(async () => ((await orderOf(s.stack, orderId)).payStatus === 'p0000' ? true : null), 15_000, 'the late payment found');
    const order = await orderOf(s.stack, orderId);
    expect(order.latePayment).toBe(true);
    await eventually(async () => receiver.received.find((r) => r.body.payStatus === 'p0000'), 15_000, 'the p0000 notification');
    expect((await listEvents(s.stack.pool, orderId)).find((e) => e.type === 'late_payment')?.detail).toMatchObject({ source: 'poll' });
  });
});

describe('a payment of another amount', () => {
  it('goes to the human queue instead of p0000; a person accepts it and the merchant is told', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { receiver, orderId } = await placeOrder(merchant, 50);
    const fields = { funcode: 'N001', appId: PLATFORM_APP_ID, mhtOrderNo: orderId, mhtOrderAmt: '1', transStatus: 'A001', signType: 'MD5' };
    const body = new URLSearchParams({ ...fields, signature: emulatorSign(fields, PLATFORM_APP_KEY) }).toString();
    expect((await postNotify(s.stack.api.url, body)).text).toBe('success=Y');
    const [review] = await eventually(async () => {
      const r = await listReviewsOf(s.stack.pool, orderId);
      return r.length ? r : null;
    }, 15_000, 'the review');
    expect(review).toMatchObject({ kind: 'amount_mismatch', resolvedAtMs: null });
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002');
    expect(receiver.received).toHaveLength(0);
    const resolved = await support('POST', `/orders/${orderId}/resolve`, { decision: 'paid', reason: 'statement shows 1.23 taken' }, 'ops-bob');
    expect(resolved.body).toMatchObject({ payStatus: 'p0000', review: { kind: 'amount_mismatch', decision: 'paid', actor: 'ops-bob' } });
    await receiver.waitFor(1);
    expect(receiver.received[0]!.body.payStatus).toBe('p0000');
  });
});
