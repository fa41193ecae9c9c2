import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, payInSandbox, startStack, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { verifySignature } from '../../domain/signing';
import { findOrderById, listEvents } from '../../db/orders';
import { listAttempts } from '../../db/notify-attempts';
import { formatCompactTime } from '../../domain/time';
import type { TestMerchant as Merchant } from '../support/stack-core';
import type { ChannelRegistry } from '../../domain/channels';
import { createOrderRecordActivities } from '../../activities/order-records';
import { parseUnifiedOrder } from '../../api/schemas/unified-order';
import { requestHash } from '../../api/request-hash';
import { newOrderId } from '../../domain/order-id';
import { orderWorkflowId } from '../../domain/order';
import { createLogger } from '../../config/logger';

// Real API + worker + Temporal dev server + PostgreSQL; the merchant's notify endpoint is a real HTTP server.
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ NOTIFY_RETRY_SCHEDULE: '150ms,300ms,450ms' });
});
afterAll(async () => {
  await stack?.stop();
});

const channelOrderNoOf = (payUrl: string) => decodeURIComponent(new URL(payUrl).pathname.split('/').pop()!);

async function placeOrder(merchant: Merchant, receiver: MerchantReceiver, overrides: Record<string, string> = {}) {
  const fields = unifiedOrderFields({ notifyUrl: receiver.url, ...overrides });
  const res = await merchantCall(stack.api.url, '/api/pay', merchant, fields);
  return { fields, ...res };
}

describe('one order end to end', () => {
  it('answers the unified order with a signed credential, pays in the sandbox and notifies the merchant, signed', async () => {
    const merchant = await testMerchant(stack.pool);
    const receiver = await new MerchantReceiver().start();
    try {
      const { status, body, fields } = await placeOrder(merchant, receiver);
      expect(status).toBe(200);
      expect(body.respCode).toBe('000000');
      expect(body.interfaceCode).toBe('pay');
      expect(body.mercOrderNo).toBe(fields.mercOrderNo);
      expect(body.tradeAmt).toBe('1.23');
      expect(body.orderId).toMatch(/^\d{32}$/);
      expect(body.codeUrl).toContain('/sandbox/cashier/');
      expect(verifySignature(body, merchant.signKey, 'MD5', body.signature!)).toBe(true);

      // The QR image and the cashier page are served.
      const qr = await fetch(body.imgUrl!);
      expect(qr.headers.get('content-type')).toContain('image/svg+xml');
      expect(await (await fetch(body.codeUrl!)).text()).toContain('Pay ¥1.23');

      expect((await payInSandbox(stack.api.url, channelOrderNoOf(body.codeUrl!))).body.paid).toBe(true);
      await receiver.waitFor(1);
      const note = receiver.received[0]!;
      expect(note.body).toMatchObject({
        mercNo: merchant.mercNo, mercOrderNo: fields.mercOrderNo, orderId: body.orderId, payStatus: 'p0000',
        tradeAmt: '1.23', tradeType: '01', feeType: 'CNY', termType: 'wap', charset: 'UTF-8', version: '1.0',
        signType: 'MD5', locale: 'CN', tradeTime: fields.tradeTime,
      });
      expect(note.body.tradeEndTime).toMatch(/^\d{14}$/);
      expect(verifySignature(note.body, merchant.signKey, 'MD5', note.body.signature!)).toBe(true);
      expect(note.headers['x-notify-id']).toBe(`${body.orderId}-p0000`);
      expect(note.headers['x-notify-attempt']).toBe('1');

      const order = await eventually(async () => {
        const o = await findOrderById(stack.pool, body.orderId!);
        return o?.notifyState === 'delivered' ? o : null;
      }, 10_000, 'delivered notification');
      expect(order.payStatus).toBe('p0000');
      const events = (await listEvents(stack.pool, body.orderId!)).map((e) => e.type);
      expect(events).toEqual(['created', 'channel_created', 'paid']);

      // Query by mercOrderNo and by orderId.
      const refs: Record<string, string>[] = [{ mercOrderNo: fields.mercOrderNo! }, { orderId: body.orderId! }];
      for (const ref of refs) {
        const q = await merchantCall(stack.api.url, '/api/query', merchant, ref);
        expect(q.status).toBe(200);
        expect(q.body).toMatchObject({ respCode: '000000', interfaceCode: 'query', payStatus: 'p0000', notifyState: 'delivered', orderId: body.orderId });
        expect(verifySignature(q.body, merchant.signKey, 'MD5', q.body.signature!)).toBe(true);
      }
    } finally {
      await receiver.stop();
    }
  });

  it('retries a merchant that answers fail twice, then stops at success: three attempts on the schedule', async () => {
    const merchant = await testMerchant(stack.pool);
    const receiver = await new MerchantReceiver([
      { kind: 'answer', body: 'fail' }, { kind: 'answer', body: 'fail' }, { kind: 'answer', body: 'success' },
    ]).start();
    try {
      const { body } = await placeOrder(merchant, receiver);
      await payInSandbox(stack.api.url, channelOrderNoOf(body.codeUrl!));
      await receiver.waitFor(3);
      const order = await eventually(async () => {
        const o = await findOrderById(stack.pool, body.orderId!);
        return o?.notifyState === 'delivered' ? o : null;
      }, 10_000, 'delivered');
      expect(order.notifyAttempts).toBe(3);
      const attempts = await listAttempts(stack.pool, body.orderId!);
      expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'failed'], [2, 'failed'], [3, 'success']]);
      expect(receiver.received.map((r) => r.headers['x-notify-attempt'])).toEqual(['1', '2', '3']);
      expect(new Set(receiver.received.map((r) => r.headers['x-notify-id'])).size).toBe(1);
      // Spacing follows the (scaled) schedule: 150 ms, then 300 ms.
      const gaps = [receiver.received[1]!.atMs - receiver.received[0]!.atMs, receiver.received[2]!.atMs - receiver.received[1]!.atMs];
      expect(gaps[0]).toBeGreaterThanOrEqual(150);
      expect(gaps[1]).toBeGreaterThanOrEqual(300);
      // No further attempt after success: the order's workflow has completed.
      const order2 = await findOrderById(stack.pool, body.orderId!);
      const description = await stack.client.workflow.getHandle(order2!.workflowId).describe();
      await stack.client.workflow.getHandle(order2!.workflowId).result();
      expect(['RUNNING', 'COMPLETED']).toContain(description.status.name);
      expect(receiver.received).toHaveLength(3);
    } finally {
      await receiver.stop();
    }
  });

  it('answers the same request twice with the same answer, and the same mercOrderNo with other parameters with 100004', async () => {
    const merchant = await testMerchant(stack.pool);
    const receiver = await new MerchantReceiver().start();
    try {
      const first = await placeOrder(merchant, receiver);
      const again = await merchantCall(stack.api.url, '/api/pay', merchant, first.fields);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      const changed = await merchantCall(stack.api.url, '/api/pay', merchant, { ...first.fields, tradeAmt: '9.99' });
      expect(changed.status).toBe(409);
      expect(changed.body.respCode).toBe('100004');
      expect(changed.body.respDesc).toContain('mercOrderNo');
    } finally {
      await receiver.stop();
    }
  });

  it('an order whose workflow is gone (a Temporal server that lost its last writes) is re-started under its own orderId', async () => {
    const merchant = await testMerchant(stack.pool);
    const receiver = await new MerchantReceiver().start();
    try {
      // The read model holds the order (p0001, no answer yet) as its first workflow wrote it; that workflow is gone.
      const fields = unifiedOrderFields({ mercNo: merchant.mercNo, notifyUrl: receiver.url, signType: 'MD5' });
      const draft = { ...parseUnifiedOrder(fields, 'MD5', Date.now()), livemode: false };
      const orderId = newOrderId(Date.now(), 42n);
      await createOrderRecordActivities({ pool: stack.pool, channels: {} as ChannelRegistry, log: createLogger('silent', 't'), notifyTimeoutMs: 1000, pollScheduleMs: [60_000] })
        .openOrder({ orderId, workflowId: orderWorkflowId(draft.mercNo, draft.mercOrderNo), requestHash: requestHash(fields, 'test'), channel: 'sandbox', draft });

      const again = await merchantCall(stack.api.url, '/api/pay', merchant, fields);
      expect(again.body).toMatchObject({ respCode: '000000', orderId });
      await payInSandbox(stack.api.url, channelOrderNoOf(again.body.codeUrl!));
      await receiver.waitFor(1);
      expect(receiver.received[0]!.body).toMatchObject({ orderId, payStatus: 'p0000' });
    } finally {
      await receiver.stop();
    }
  });

  it('expires an unpaid order as p0006, closes it at the channel, and a later pay attempt cannot flip it', async () => {
    const merchant = await testMerchant(stack.pool);
    const receiver = await new MerchantReceiver().start();
    try {
      // orderPeriod is in minutes: a tradeTime 58 s ago with a 1-minute period expires in about 2 s.
      const { fields, body } = await placeOrder(merchant, receiver, { tradeTime: formatCompactTime(Date.now() - 58_000), orderPeriod: '1' });
      expect(body.respCode).toBe('000000');
      await receiver.waitFor(1);
      expect(receiver.received[0]!.body.payStatus).toBe('p0006');
      const order = await findOrderById(stack.pool, body.orderId!);
      expect(order?.payStatus).toBe('p0006');

      // The same request again, now that its tradeTime + orderPeriod has passed: the original answer, not 100001.
      const again = await merchantCall(stack.api.url, '/api/pay', merchant, fields);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(body);

      const late = await payInSandbox(stack.api.url, channelOrderNoOf(body.codeUrl!));
      expect(late.status).toBe(409);
      expect(late.body).toMatchObject({ paid: false, status: 'closed' });
      expect((await findOrderById(stack.pool, body.orderId!))?.payStatus).toBe('p0006');
    } finally {
      await receiver.stop();
    }
  });

  it('a payment the channel takes after expiry is not silent: the order becomes p0000 (flagged late) and the merchant is told', async () => {
    const merchant = await testMerchant(stack.pool);
    const receiver = await new MerchantReceiver().start();
    try {
      const { body } = await placeOrder(merchant, receiver, { tradeTime: formatCompactTime(Date.now() - 59_000), orderPeriod: '1' });
      await receiver.waitFor(1);
      expect(receiver.received[0]!.body.payStatus).toBe('p0006');
      await eventually(async () => (await findOrderById(stack.pool, body.orderId!))?.notifyState === 'delivered', 10_000, 'p0006 delivered');

      const late = await payInSandbox(stack.api.url, channelOrderNoOf(body.codeUrl!), true);
      expect(late.body.paid).toBe(true);
      await receiver.waitFor(2);
      expect(receiver.received[1]!.body.payStatus).toBe('p0000');
      expect(receiver.received[1]!.headers['x-notify-id']).toBe(`${body.orderId}-p0000`);
      const order = await findOrderById(stack.pool, body.orderId!);
      expect(order).toMatchObject({ payStatus: 'p0000', latePayment: true });
      const events = (await listEvents(stack.pool, body.orderId!)).map((e) => e.type);
      expect(events).toContain('expired');
      expect(events).toContain('late_payment');
    } finally {
      await receiver.stop();
    }
  });
});
