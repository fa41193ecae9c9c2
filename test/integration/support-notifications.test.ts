import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStack, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver, type Received } from '../support/merchant-receiver';
import { notifyStateOf, paidOrder, supportCall, workflowClosed, type SupportErrorAnswer } from '../support/support-api';
import { findOrderById } from '../../db/orders';
import { listAttempts } from '../../db/notify-attempts';
import { verifySignature } from '../../domain/signing';
import type { TestMerchant as Merchant } from '../support/stack-core';
import type { OrderTimeline } from '../../support/timeline';

// The support API over the real stack: an order's timeline, replay (open and finished workflows), pause / resume /
// redirect. Merchant schedules are scaled down (STEP) or made long (LONG) so that only support's actions cause attempts.
const STEP_MS = 200;
const LONG_MS = 10 * 60_000;
let stack: TestStack;
const openWorkflows: string[] = [];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  // Orders left waiting on a long schedule: end them so that nothing runs on after this file.
  await Promise.allSettled(openWorkflows.map((id) => stack.client.workflow.getHandle(id).terminate('test finished')));
  await stack?.stop();
});

const timeline = async (ref: string, query = '') => supportCall<OrderTimeline>(stack.api.adminUrl, 'GET', `/support/v1/orders/${ref}${query}`);
const post = <T = Record<string, unknown>>(orderId: string, action: string, body: unknown = {}) =>
  supportCall<T>(stack.api.adminUrl, 'POST', `/support/v1/orders/${orderId}/notification/${action}`, { body });

function expectSigned(r: Received, merchant: Merchant): void {
  expect(verifySignature(r.body, merchant.signKey, 'MD5', r.body.signature!)).toBe(true);
}

async function openOrderWaiting(merchant: Merchant, receiver: MerchantReceiver) {
  const { orderId } = await paidOrder(stack, merchant, receiver.url);
  const order = await notifyStateOf(stack, orderId, ['pending']);
  openWorkflows.push(order.workflowId);
  return order;
}

describe('support: order timeline', () => {
  it('shows a paid order whose merchant failed once then succeeded: read model, audit, channel calls, attempts', async () => {
    const merchant = await testMerchant(stack.pool, { notifyScheduleMs: [STEP_MS, STEP_MS, STEP_MS] });
    const receiver = await new MerchantReceiver([{ kind: 'answer', body: 'fail' }, { kind: 'answer', body: 'success' }]).start();
    try {
      const { orderId, mercOrderNo } = await paidOrder(stack, merchant, receiver.url);
      await notifyStateOf(stack, orderId, ['delivered']);
      await workflowClosed(stack, orderId);

      const { status, body: t } = await timeline(orderId);
      expect(status).toBe(200);
      expect(t.order).toMatchObject({
        orderId, mercNo: merchant.mercNo, mercOrderNo, payStatus: 'p0000', notifyState: 'delivered', notifyAttempts: 2,
        tradeAmt: '1.23', channel: 'sandbox', notifyUrl: receiver.url,
      });
      expect(t.events.map((e) => e.type)).toEqual(expect.arrayContaining(['created', 'channel_created', 'paid']));
      expect(t.channelCalls[0]).toMatchObject({ channel: 'sandbox', op: 'create', status: 'CREATED', error: null });
      expect(t.channelCalls[0]!.latencyMs).toBeGreaterThanOrEqual(0);
      expect(t.channelCallbacks).toEqual([]);
      expect(t.notifications.map((a) => [a.attempt, a.outcome, a.answerExcerpt, a.httpStatus])).toEqual([
        [1, 'failed', 'fail', 200], [2, 'success', 'success', 200],
      ]);
      expect(new Set(t.notifications.map((a) => a.notifyId))).toEqual(new Set([`${orderId}-p0000`]));
      expect(t.workflow).toMatchObject({ workflowId: t.order.workflowId, status: 'COMPLETED', live: null });
      const sources = t.timeline.map((e) => e.source);
      expect(sources).toEqual(expect.arrayContaining(['event', 'channel_call', 'notification']));
      expect([...t.timeline].sort((a, b) => a.at.localeCompare(b.at))).toEqual(t.timeline);

      const byMerchant = await timeline(mercOrderNo, `?mercNo=${merchant.mercNo}`);
      expect(byMerchant.status).toBe(200);
      expect(byMerchant.body.order.orderId).toBe(orderId);
    } finally {
      await receiver.stop();
    }
  });

  it('answers 404 for an unknown order and 400 for a malformed reference', async () => {
    const missing = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'GET', '/support/v1/orders/99990101000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const bad = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'GET', `/support/v1/orders/${'x'.repeat(40)}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_request', field: 'ref' });
  });
});

describe('support: replay', () => {
  it('open workflow on a long schedule: replay makes the next attempt at once, signed, same X-Notify-Id', async () => {
    const merchant = await testMerchant(stack.pool, { notifyScheduleMs: [LONG_MS, LONG_MS] });
    const receiver = await new MerchantReceiver([{ kind: 'answer', body: 'fail' }]).start();
    try {
      const order = await openOrderWaiting(merchant, receiver);
      expect(receiver.received).toHaveLength(1);

      const replay = await post(order.orderId, 'replay');
      expect(replay.status).toBe(202);
      expect(replay.body).toMatchObject({ orderId: order.orderId, path: 'signal', workflowId: order.workflowId });

      await receiver.waitFor(2, 15_000);
      const [first, second] = receiver.received;
      expect(second!.headers['x-notify-id']).toBe(first!.headers['x-notify-id']);
      expect(second!.headers['x-notify-attempt']).toBe('2');
      expectSigned(second!, merchant);
      // The receiver answered before the attempt's activity completed: wait for the workflow to have recorded it.
      const t = await eventually(async () => {
        const body = (await timeline(order.orderId)).body;
        return body.workflow.live?.notify?.attempts === 2 ? body : null;
      }, 15_000, 'the second attempt recorded by the workflow');
      expect(t.workflow.status).toBe('RUNNING');
      expect(t.workflow.live?.notify).toMatchObject({ state: 'pending', attempts: 2 });
      expect(t.events.some((e) => e.type === 'support_replay')).toBe(true);
    } finally {
      await receiver.stop();
    }
  });

  it('finished workflow (delivered): a replay workflow delivers attempt n+1 with the same X-Notify-Id', async () => {
    const merchant = await testMerchant(stack.pool, { notifyScheduleMs: [STEP_MS] });
    const receiver = await new MerchantReceiver().start();
    try {
      const { orderId } = await paidOrder(stack, merchant, receiver.url);
      await notifyStateOf(stack, orderId, ['delivered']);
      await workflowClosed(stack, orderId);

      const replay = await post(orderId, 'replay');
      expect(replay.status).toBe(202);
      expect(replay.body).toMatchObject({ path: 'replay-workflow', workflowId: `replay:${orderId}-p0000:2`, attempt: 2, alreadyRunning: false });

      await receiver.waitFor(2, 15_000);
      const [first, second] = receiver.received;
      expect(second!.headers['x-notify-id']).toBe(first!.headers['x-notify-id']);
      expect(second!.headers['x-notify-attempt']).toBe('2');
      expect(second!.body).toMatchObject({ orderId, payStatus: 'p0000' });
      expectSigned(second!, merchant);
      await stack.client.workflow.getHandle(`replay:${orderId}-p0000:2`).result();
      expect((await listAttempts(stack.pool, orderId)).map((a) => [a.attempt, a.outcome])).toEqual([[1, 'success'], [2, 'success']]);
    } finally {
      await receiver.stop();
    }
  });

  it('finished workflow (exhausted): the receiver gets attempt n+1 with the same X-Notify-Id', async () => {
    const merchant = await testMerchant(stack.pool, { notifyScheduleMs: [STEP_MS] });
    const receiver = await new MerchantReceiver([{ kind: 'answer', body: 'fail' }]).start();
    try {
      const { orderId } = await paidOrder(stack, merchant, receiver.url);
      const order = await notifyStateOf(stack, orderId, ['exhausted']);
      expect(order.notifyAttempts).toBe(2);
      await workflowClosed(stack, orderId);

      const replay = await post(orderId, 'replay');
      expect(replay.body).toMatchObject({ path: 'replay-workflow', attempt: 3 });
      await receiver.waitFor(3, 15_000);
      const third = receiver.received[2]!;
      expect(third.headers['x-notify-id']).toBe(`${orderId}-p0000`);
      expect(third.headers['x-notify-attempt']).toBe('3');
      expectSigned(third, merchant);
      await stack.client.workflow.getHandle(`replay:${orderId}-p0000:3`).result();
      expect((await findOrderById(stack.pool, orderId))).toMatchObject({ notifyState: 'exhausted', notifyAttempts: 3 });
    } finally {
      await receiver.stop();
    }
  });
});

describe('support: pause, resume, redirect', () => {
  it('pause holds the notification, redirect changes its URL, resume attempts at once; refused once the workflow finished', async () => {
    const merchant = await testMerchant(stack.pool, { notifyScheduleMs: Array(30).fill(300) });
    const failing = await new MerchantReceiver([{ kind: 'answer', body: 'fail' }]).start();
    const other = await new MerchantReceiver().start();
    try {
      const order = await openOrderWaiting(merchant, failing);

      expect((await post(order.orderId, 'pause')).status).toBe(202);
      await notifyStateOf(stack, order.orderId, ['paused']);
      const heldAt = failing.received.length;
      const live = (await timeline(order.orderId)).body.workflow.live;
      expect(live?.notify).toMatchObject({ state: 'paused', paused: true });
      const refused = await post<SupportErrorAnswer>(order.orderId, 'replay');
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toContain('paused');

      const badUrl = await post<SupportErrorAnswer>(order.orderId, 'redirect', { url: 'ftp://example.com/notify' });
      expect(badUrl.status).toBe(400);
      expect(badUrl.body.error).toMatchObject({ code: 'invalid_request', field: 'url' });
      const redirect = await post(order.orderId, 'redirect', { url: other.url });
      expect(redirect.status).toBe(202);
      expect((await timeline(order.orderId)).body.workflow.live?.notify.url).toBe(other.url);

      expect((await post(order.orderId, 'resume')).status).toBe(202);
      await other.waitFor(1, 15_000);
      expect(failing.received).toHaveLength(heldAt); // nothing was sent while paused
      expect(other.received[0]!.headers['x-notify-id']).toBe(failing.received[0]!.headers['x-notify-id']);
      expectSigned(other.received[0]!, merchant);

      await notifyStateOf(stack, order.orderId, ['delivered']);
      await workflowClosed(stack, order.orderId);
      const late = await post<SupportErrorAnswer>(order.orderId, 'pause');
      expect(late.status).toBe(409);
      expect(late.body.error).toMatchObject({ code: 'conflict' });
      expect(late.body.error.message).toContain('finished');
      const t = (await timeline(order.orderId)).body;
      expect(t.events.map((e) => e.type)).toEqual(expect.arrayContaining(['support_pause', 'support_redirect', 'support_resume']));
    } finally {
      await failing.stop();
      await other.stop();
    }
  });
});
