import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, testMerchant } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { callbacksOf, eventTypes, orderOf, startIpaynowStack, type IpaynowStack } from '../support/ipaynow';
import { listEvents } from '../../db/orders';
import { formatCompactTime } from '../../domain/time';
import type { TestMerchant as Merchant } from '../support/stack-core';

// IPayNow end to end through the emulator, settled by MQ002 polling (every 200 ms here), by expiry, or after a push
// whose result was unknown. Real API + worker + Temporal + PostgreSQL.
let s: IpaynowStack;
const receivers: MerchantReceiver[] = [];

beforeAll(async () => {
  s = await startIpaynowStack({ POLL_SCHEDULE: '200ms', NOTIFY_RETRY_SCHEDULE: '150ms,300ms,450ms' });
});
afterEach(async () => {
  s.emulator.controls.resetFaults();
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await s?.stop();
});

async function placeOrder(merchant: Merchant, overrides: Record<string, string> = {}) {
  const receiver = await new MerchantReceiver().start();
  receivers.push(receiver);
  const fields = unifiedOrderFields({ notifyUrl: receiver.url, ...overrides });
  const res = await merchantCall(s.stack.api.url, '/api/pay', merchant, fields);
  return { receiver, fields, status: res.status, answer: res.body, orderId: res.body.orderId! };
}

const mq002Calls = (orderId: string) => s.emulator.controls.calls(orderId).filter((c) => c.funcode === 'MQ002');

describe('IPayNow MQ002 polling, expiry and unknown pushes', () => {
  it('a payment IPayNow never notifies is found by polling', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { receiver, answer, orderId } = await placeOrder(merchant, { paywayCode: 'unionpay', sceneCode: 'gateway' });
    expect(answer.respCode).toBe('000000');
    expect(answer.resultHtml).toContain(`${s.emulator.url}/cashier/`);
    s.emulator.controls.setFaults({ notify: { mode: 'never' } });
    s.emulator.controls.pay(orderId);
    await receiver.waitFor(1);
    expect(receiver.received[0]!.body.payStatus).toBe('p0000');
    const paid = (await listEvents(s.stack.pool, orderId)).find((e) => e.type === 'paid');
    expect(paid?.detail).toMatchObject({ source: 'poll' });
    expect(s.emulator.controls.notifications(orderId)).toHaveLength(0);
    expect(await callbacksOf(s.stack, orderId)).toHaveLength(0);
    expect(mq002Calls(orderId).every((c) => c.request.deviceType === '04' && c.signRule === 'NEW')).toBe(true);
  });

  it('MQ002 answering A003 (unknown) keeps the order waiting; the next clear answer settles it', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { receiver, orderId } = await placeOrder(merchant);
    s.emulator.controls.setFaults({ notify: { mode: 'never' }, unknownResult: { MQ002: true } });
    s.emulator.controls.pay(orderId);
    const before = mq002Calls(orderId).length;
    await eventually(async () => (mq002Calls(orderId).filter((c) => c.responseCode === 'A003').length >= 3 ? true : null), 10_000, 'three A003 answers');
    expect(mq002Calls(orderId).length).toBeGreaterThan(before);
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002');
    s.emulator.controls.resetFaults();
    await receiver.waitFor(1);
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0000');
  });

  it('MQ002 reporting A002 (payment failed) fails the order', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { receiver, orderId } = await placeOrder(merchant, { paywayCode: 'wxpay', sceneCode: 'app' });
    s.emulator.controls.setTransStatus(orderId, 'A002');
    await receiver.waitFor(1);
    expect(receiver.received[0]!.body.payStatus).toBe('p0004');
    const failed = (await listEvents(s.stack.pool, orderId)).find((e) => e.type === 'failed');
    expect(failed?.detail).toMatchObject({ source: 'poll', reason: expect.stringContaining('A002') });
  });

  it('a push that times out is UNKNOWN (200001, order kept open), and the payment is still found', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    s.emulator.controls.setFaults({ delayMs: { WP001: 1_500 }, notify: { mode: 'never' } }); // adapter timeout: 500 ms
    const { receiver, status, answer, orderId } = await placeOrder(merchant);
    expect(status).toBe(502);
    expect(answer.respCode).toBe('200001');
    expect(orderId).toMatch(/^\d{32}$/);
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0001');
    // IPayNow did take the order (it was only slow to say so); the payer pays through its cashier.
    await eventually(async () => s.emulator.controls.order(orderId), 5_000, 'order at ipaynow');
    s.emulator.controls.pay(orderId);
    await receiver.waitFor(1);
    expect(receiver.received[0]!.body.payStatus).toBe('p0000');
    expect(await eventTypes(s.stack, orderId)).toEqual(['created', 'paid']);
  });

  it('expiry with no payment: a final MQ002 query at expiry, then p0006 and the merchant is told', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { receiver, answer, orderId } = await placeOrder(merchant, { tradeTime: formatCompactTime(Date.now() - 58_000), orderPeriod: '1' });
    expect(answer.respCode).toBe('000000');
    const expireAtMs = (await orderOf(s.stack, orderId)).expireAtMs;
    await receiver.waitFor(1);
    expect(receiver.received[0]!.body.payStatus).toBe('p0006');
    const order = await orderOf(s.stack, orderId);
    expect(order.payStatus).toBe('p0006');
    const expired = (await listEvents(s.stack.pool, orderId)).find((e) => e.type === 'expired');
    expect(expired).toBeDefined();
    // The final query (and the query that is close()) happened at or after expiry, and found the order unpaid.
    const finals = mq002Calls(orderId).filter((c) => c.atMs >= expireAtMs);
    expect(finals.length).toBeGreaterThanOrEqual(2);
    expect(finals.every((c) => c.responseCode === 'A001')).toBe(true);
    expect(s.emulator.controls.order(orderId)!.transStatus).toBe('A004');
  });
});
