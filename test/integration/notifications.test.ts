import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, payInSandbox, startStack, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { findOrderById } from '../../db/orders';
import { listAttempts } from '../../db/notify-attempts';
import { freePort } from '../../devstack/paths';
import { formatCompactTime } from '../../domain/time';
import { testKeyring, type TestMerchant as Merchant } from '../support/stack-core';
import { createNotifyActivities } from '../../activities/notify-delivery';
import type { ActivityDeps } from '../../activities/deps';
import { PayStatus } from '../../domain/pay-status';

// Notification delivery against a real merchant receiver at a scaled schedule: the 5 s answer limit is 300 ms here
// and the merchant's own schedule override (the seed's 10/10/10/10/10 s) is 200 ms × 5.
const TIMEOUT_MS = 300;
const STEP_MS = 200;
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ NOTIFY_TIMEOUT: `${TIMEOUT_MS}ms`, NOTIFY_RETRY_SCHEDULE: '5s' });
});
afterAll(async () => {
  await stack?.stop();
});

const channelOrderNoOf = (payUrl: string) => new URL(payUrl).pathname.split('/').pop()!;

async function paidOrder(merchant: Merchant, notifyUrl: string) {
  const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl }));
  expect(placed.body.respCode).toBe('000000');
  expect((await payInSandbox(stack.api.url, channelOrderNoOf(placed.body.codeUrl!))).body.paid).toBe(true);
  return placed.body.orderId!;
}

const settled = (orderId: string) =>
  eventually(async () => {
    const o = await findOrderById(stack.pool, orderId);
    return o && ['delivered', 'exhausted'].includes(o.notifyState) ? o : null;
  }, 20_000, 'notification settled');

describe('merchant notifications', () => {
  it('fail, slow (> limit), HTML 500, reset, then success: five attempts on the merchant schedule, then none', async () => {
    const merchant = await testMerchant(stack.pool, { notifyScheduleMs: Array(5).fill(STEP_MS) });
    const receiver = await new MerchantReceiver([
      { kind: 'answer', body: 'fail' },
      { kind: 'delay', ms: TIMEOUT_MS * 4, body: 'success' },
      { kind: 'answer', body: '<html><body>502 Bad Gateway</body></html>', status: 500, contentType: 'text/html' },
      { kind: 'reset' },
      { kind: 'answer', body: 'success\n' },
    ]).start();
    try {
      const orderId = await paidOrder(merchant, receiver.url);
      const order = await settled(orderId);
      expect(order).toMatchObject({ notifyState: 'delivered', notifyAttempts: 5 });
      const attempts = await listAttempts(stack.pool, orderId);
      expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'failed'], [2, 'failed'], [3, 'failed'], [4, 'failed'], [5, 'success']]);
      expect(attempts[0]!.answerExcerpt).toBe('fail');
      expect(attempts[1]!.error).toContain(`${TIMEOUT_MS} ms`);
      expect(attempts[1]!.latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
      expect(attempts[2]).toMatchObject({ httpStatus: 500, error: 'HTTP 500' });
      expect(attempts[3]!.httpStatus).toBeNull();
      // Spacing: each retry waits at least the schedule's step after the previous attempt ended.
      const times = receiver.received.map((r) => r.atMs);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(STEP_MS - 5);
      expect(receiver.received.map((r) => r.headers['x-notify-attempt'])).toEqual(['1', '2', '3', '4', '5']);
      expect(new Set(receiver.received.map((r) => r.headers['x-notify-id']))).toEqual(new Set([`${orderId}-p0000`]));
      // The workflow has completed: no sixth attempt can come.
      await stack.client.workflow.getHandle(order.workflowId).result();
      expect(receiver.received).toHaveLength(5);
    } finally {
      await receiver.stop();
    }
  });

  it('a refused connection exhausts the schedule: marked exhausted, in the query and in the Temporal search attributes', async () => {
    const merchant = await testMerchant(stack.pool, { notifyScheduleMs: Array(5).fill(STEP_MS) });
    const orderId = await paidOrder(merchant, `http://127.0.0.1:${await freePort()}/notify`);
    const order = await settled(orderId);
    expect(order).toMatchObject({ notifyState: 'exhausted', notifyAttempts: 6 });
    const attempts = await listAttempts(stack.pool, orderId);
    expect(attempts).toHaveLength(6);
    expect(attempts.every((a) => a.outcome === 'failed' && a.error?.includes('ECONNREFUSED'))).toBe(true);
    const q = await merchantCall(stack.api.url, '/api/query', merchant, { orderId });
    expect(q.body).toMatchObject({ payStatus: 'p0000', notifyState: 'exhausted', notifyAttempts: '6' });
    const ids = await eventually(async () => {
      const found: string[] = [];
      for await (const wf of stack.client.workflow.list({ query: `MercNo = "${merchant.mercNo}" AND PayStatus = "p0000" AND NotifyState = "exhausted"` })) found.push(wf.workflowId);
      return found.length ? found : null;
    }, 15_000, 'exhausted in visibility');
    expect(ids).toEqual([order.workflowId]);
  });

  it('only the final states the merchant chose are notified (p0000 always)', async () => {
    const merchant = await testMerchant(stack.pool, { notifyStatuses: ['p0000'] });
    const receiver = await new MerchantReceiver().start();
    try {
      const expiring = await merchantCall(stack.api.url, '/api/pay', merchant,
        unifiedOrderFields({ notifyUrl: receiver.url, tradeTime: formatCompactTime(Date.now() - 59_000), orderPeriod: '1' }));
      const orderId = expiring.body.orderId!;
      const order = await eventually(async () => {
        const o = await findOrderById(stack.pool, orderId);
        return o?.payStatus === 'p0006' ? o : null;
      }, 15_000, 'expired');
      await stack.client.workflow.getHandle(order.workflowId).result();
      expect(receiver.received).toHaveLength(0);
      expect((await findOrderById(stack.pool, orderId))?.notifyState).toBe('none');
    } finally {
      await receiver.stop();
    }
  });

  it('latest state wins: a pending p0006 notification is replaced by p0000 and p0006 is never sent after it', async () => {
    const merchant = await testMerchant(stack.pool, { notifyScheduleMs: [STEP_MS, 2_000, 2_000] });
    const receiver = await new MerchantReceiver([{ kind: 'answer', body: 'fail' }, { kind: 'answer', body: 'fail' }, { kind: 'answer', body: 'success' }]).start();
    try {
      const placed = await merchantCall(stack.api.url, '/api/pay', merchant,
        unifiedOrderFields({ notifyUrl: receiver.url, tradeTime: formatCompactTime(Date.now() - 59_000), orderPeriod: '1' }));
      await receiver.waitFor(2, 15_000); // two failed p0006 attempts; the next one is 2 s away
      expect(receiver.received.map((r) => r.body.payStatus)).toEqual(['p0006', 'p0006']);
      expect((await payInSandbox(stack.api.url, channelOrderNoOf(placed.body.codeUrl!), true)).body.paid).toBe(true);
      const order = await settled(placed.body.orderId!);
      expect(order).toMatchObject({ payStatus: 'p0000', latePayment: true, notifyState: 'delivered' });
      await stack.client.workflow.getHandle(order.workflowId).result();
      expect(receiver.received.map((r) => r.body.payStatus)).toEqual(['p0006', 'p0006', 'p0000']);
    } finally {
      await receiver.stop();
    }
  });
  it('an attempt that runs again after its result was lost (a killed worker) is not posted twice once acknowledged; a new attempt is', async () => {
    const merchant = await testMerchant(stack.pool, { notifyScheduleMs: [STEP_MS] });
    const receiver = await new MerchantReceiver([{ kind: 'answer', body: 'success' }, { kind: 'answer', body: 'success' }]).start();
    try {
      const orderId = await paidOrder(merchant, receiver.url);
      const order = await settled(orderId);
      expect(order.notifyState).toBe('delivered');
      await stack.client.workflow.getHandle(order.workflowId).result();
      expect(receiver.received).toHaveLength(1);
      // The same activity again, as Temporal runs it when the workflow task that ran it never completed.
      const acts = createNotifyActivities({
        pool: stack.pool, notifyTimeoutMs: TIMEOUT_MS, notifyAllowPrivate: true, keyring: testKeyring(),
      } as unknown as ActivityDeps);
      const request = { orderId, notifyId: `${orderId}-p0000`, payStatus: PayStatus.PAID, nextDelayMs: null };
      await expect(acts.deliverNotification({ ...request, attempt: 1 })).resolves.toMatchObject({ delivered: true, notifyState: 'delivered' });
      expect(receiver.received).toHaveLength(1);
      // Another attempt number (support's replay) is a new attempt and is sent.
      await expect(acts.deliverNotification({ ...request, attempt: 2 })).resolves.toMatchObject({ delivered: true });
      expect(receiver.received.map((r) => r.headers['x-notify-attempt'])).toEqual(['1', '2']);
    } finally {
      await receiver.stop();
    }
  });
});
