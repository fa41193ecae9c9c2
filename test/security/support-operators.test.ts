import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, startStack, testMerchant, TEST_OPERATORS, type TestOperator, type TestStack } from '../support/stack';
import { unifiedOrderFields } from '../support/requests';
import { MerchantReceiver } from '../support/merchant-receiver';
import { notifyStateOf, paidOrder, supportCall, workflowClosed, type SupportErrorAnswer } from '../support/support-api';
import { findOrderById, listEvents } from '../../db/orders';
import type { TestMerchant as Merchant } from '../support/stack-core';
import type { OrderTimeline } from '../../support/timeline';
import type { JobView } from '../../support/replay-jobs';

// Finding 5: support credentials are named (SUPPORT_OPERATORS, one token per operator), and every audit record a
// support action writes names the operator who did it; answers that show history carry that name.
const LONG_MS = 10 * 60_000;
let stack: TestStack;
let merchant: Merchant;
let receiver: MerchantReceiver;
const openWorkflows: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  merchant = await testMerchant(stack.pool, { notifyScheduleMs: [LONG_MS] });
  receiver = await new MerchantReceiver().start();
});
afterAll(async () => {
  await Promise.allSettled(openWorkflows.map((id) => stack.client.workflow.getHandle(id).terminate('test finished')));
  await receiver?.stop();
  await stack?.stop();
});

const as = <T = Record<string, unknown>>(operator: TestOperator, method: 'GET' | 'POST', path: string, body?: unknown) =>
  supportCall<T>(stack.api.adminUrl, method, `/support/v1${path}`, { token: TEST_OPERATORS[operator], ...(body !== undefined ? { body } : {}) });

/** The order's support events (type → actor) as the timeline answer shows them. */
async function supportEvents(orderId: string) {
  const { status, body } = await as<OrderTimeline>('ops-alice', 'GET', `/orders/${orderId}`);
  expect(status).toBe(200);
  return { events: body.events.filter((e) => e.type.startsWith('support_')), timeline: body.timeline };
}

describe('named support operators', () => {
  it('a replay, pause, redirect and resume are each audited with the operator who sent them', async () => {
    const delivered = await paidOrder(stack, merchant, receiver.url);
    await notifyStateOf(stack, delivered.orderId, ['delivered']);
    await workflowClosed(stack, delivered.orderId);
    const replay = await as('ops-bob', 'POST', `/orders/${delivered.orderId}/notification/replay`, {});
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ path: 'replay-workflow', actor: 'ops-bob' });
    const replayed = await supportEvents(delivered.orderId);
    expect(replayed.events).toEqual([expect.objectContaining({ type: 'support_replay', actor: 'ops-bob' })]);
    expect(replayed.timeline.find((e) => e.summary.startsWith('support_replay'))!.summary).toMatch(/ by ops-bob$/);

    // An order still waiting for its payment has an open workflow to steer.
    const open = await unpaidOpenOrder();
    expect((await as('ops-alice', 'POST', `/orders/${open}/notification/pause`, {})).body).toMatchObject({ actor: 'ops-alice' });
    expect((await as('ops-bob', 'POST', `/orders/${open}/notification/redirect`, { url: receiver.url })).body).toMatchObject({ actor: 'ops-bob' });
    expect((await as('ops-alice', 'POST', `/orders/${open}/notification/resume`, {})).status).toBe(202);
    const steered = await supportEvents(open);
    expect(steered.events.map((e) => [e.type, e.actor])).toEqual([
      ['support_pause', 'ops-alice'], ['support_redirect', 'ops-bob'], ['support_resume', 'ops-alice'],
    ]);
    // The system's own events name nobody.
    expect((await listEvents(stack.pool, open)).filter((e) => !e.type.startsWith('support_')).every((e) => e.actor === null)).toBe(true);
  });

  it('a bulk replay job records who started it, and every replay it makes is audited with that operator', async () => {
    const jobMerchant = await testMerchant(stack.pool, { notifyScheduleMs: [LONG_MS] });
    const orders = [await paidOrder(stack, jobMerchant, receiver.url), await paidOrder(stack, jobMerchant, receiver.url)];
    for (const o of orders) await notifyStateOf(stack, o.orderId, ['delivered']);
    const started = await as<JobView>('ops-bob', 'POST', '/notifications/replay', { filter: { mercNo: jobMerchant.mercNo }, ratePerSecond: 10 });
    expect(started.status).toBe(202);
    expect(started.body.actor).toBe('ops-bob');
    const job = await eventually(async () => {
      const j = await as<JobView>('ops-alice', 'GET', `/jobs/${started.body.id}`);
      return j.body.state === 'completed' ? j.body : null;
    }, 20_000, 'the job to complete');
    expect(job).toMatchObject({ total: 2, done: 2, actor: 'ops-bob' });
    // The operator travels in the job workflow's input, so what the job writes does not depend on re-reading the row.
    const history = await stack.client.workflow.getHandle(job.workflowId).fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    expect(JSON.parse(Buffer.from(input!).toString('utf8'))).toMatchObject({ jobId: job.id, actor: 'ops-bob' });
    for (const o of orders) {
      const { events } = await supportEvents(o.orderId);
      expect(events).toEqual([expect.objectContaining({ type: 'support_replay', actor: 'ops-bob', detail: expect.objectContaining({ jobId: job.id }) })]);
    }
  });

  it('refuses an unknown or anonymous token (401), the name instead of the token, and an operator\'s token with extra text', async () => {
    const path = '/support/v1/notifications/exhausted';
    const refused: { token?: string | null; authorization?: string }[] = [
      { token: null },
      { token: 'test-admin-token-0123456789abcdef' }, // the shared token of the ADMIN_TOKENS era
      { token: 'ops-alice' },
      { token: `ops-alice:${TEST_OPERATORS['ops-alice']}` },
      { token: `${TEST_OPERATORS['ops-alice']}x` },
      { authorization: `Basic ${Buffer.from(`ops-alice:${TEST_OPERATORS['ops-alice']}`).toString('base64')}` },
    ];
    for (const attempt of refused) {
      const r = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'GET', path, attempt);
      expect(r.status, JSON.stringify(attempt)).toBe(401);
      expect(r.body.error.code).toBe('unauthorized');
      expect(JSON.stringify(r.body)).not.toContain(TEST_OPERATORS['ops-alice']);
    }
    for (const operator of Object.keys(TEST_OPERATORS) as TestOperator[]) expect((await as(operator, 'GET', '/notifications/exhausted')).status).toBe(200);
  });

  it('without SUPPORT_OPERATORS (nor ADMIN_OPERATORS, whose operators may use it too) the support API is off (503), whatever ADMIN_TOKENS says', async () => {
    const bare = await startStack({ SUPPORT_OPERATORS: '', ADMIN_OPERATORS: '', ADMIN_TOKENS: 'test-admin-token-0123456789abcdef' }, { worker: false });
    try {
      const r = await supportCall<SupportErrorAnswer>(bare.api.adminUrl, 'GET', '/support/v1/ambiguous', { token: 'test-admin-token-0123456789abcdef' });
      expect(r.status).toBe(503);
      expect(r.body.error).toMatchObject({ code: 'not_configured' });
    } finally {
      await bare.stop();
    }
  });
});

/** An order placed and not paid yet: its workflow is open and its (first) notification still ahead. */
async function unpaidOpenOrder(): Promise<string> {
  const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url }));
  expect(placed.body.respCode).toBe('000000');
  const order = await eventually(() => findOrderById(stack.pool, placed.body.orderId!), 10_000, 'the order in the read model');
  openWorkflows.push(order.workflowId);
  return order.orderId;
}
