import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../devstack/paths';
import { eventually, startStack, testMerchant, type TestMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { paidSandboxOrder, refundCall, refundReaches } from '../support/refunds';
import { supportCall, type SupportErrorAnswer } from '../support/support-api';
import { TEST_OPERATOR, TEST_OPERATOR_TOKEN } from '../support/stack-core';
import { requestHash } from '../../api/request-hash';
import { inTransaction } from '../../db/pool';
import { claimUnstartedRefunds, holdRefundable, insertRefund, markRefundStartEscalated, openRefundReview, refundLedgerOf } from '../../db/refunds';
import { takeStartOutOfQueue } from '../../db/start-escalations';
import { findOrderById, listEvents } from '../../db/orders';
import { listChannelCalls } from '../../db/channel-calls';
import { newOrderId } from '../../domain/order-id';
import { formatFenAsYuan } from '../../domain/money';
import { RefundStatus, refundWorkflowId } from '../../domain/refund-status';
import { START_RECOVERY_MAX_TRIES } from '../../worker/start-recovery';
import { launchChromium } from '../support/browser';
import { orderReaches, payoutCall, payoutFields, payoutSettings } from '../support/payouts';
import { parseUnifiedOrder } from '../../api/schemas/unified-order';
import { insertOrder, recordEvent, savePayAnswer } from '../../db/orders';
import { openReconReview } from '../../db/recon';
import { openReview } from '../../db/order-reviews';
import { claimUnstartedPayouts, findPayout, insertPayout, markPayoutStartEscalated, reservePayoutLimit } from '../../db/payouts';
import { orderWorkflowId } from '../../domain/order';
import { PayStatus } from '../../domain/pay-status';
import { TEST_OPERATORS } from '../support/stack';

// Support's retry start of a refund or payout whose start the workers gave up on (support/start-retry.ts), on the real stack:
// API + worker + Temporal + PostgreSQL, the sandbox channel and a real merchant receiver.
let stack: TestStack;
let merchant: TestMerchant;

beforeAll(async () => {
  stack = await startStack({
    REFUND_START_RECOVERY_AFTER: '200ms', REFUND_QUERY_SCHEDULE: '200ms', PAYOUT_START_RECOVERY_AFTER: '200ms', PAYOUT_QUERY_SCHEDULE: '100ms', POLL_SCHEDULE: '1h',
  });
  merchant = await testMerchant(stack.pool, { notifyScheduleMs: [200, 200, 200] });
  await payoutSettings(stack.pool, merchant, { dailyLimitFen: 10_000 });
});
afterAll(async () => {
  await stack?.stop();
});

const retryStart = (refundId: string, opts: { token?: string | null; reason?: string } = {}) =>
  supportCall<Record<string, unknown> & SupportErrorAnswer>(stack.api.adminUrl, 'POST', `/support/v1/refunds/${refundId}/retry-start`, {
    body: { reason: opts.reason ?? 'put the order channel right in the read model' }, ...(opts.token !== undefined ? { token: opts.token } : {}),
  });

/** npm run support -- … as support staff run it: its own process, against this stack. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli/support.ts'), ...args], {
      cwd: repoRoot, env: { ...process.env, SUPPORT_ADMIN_URL: stack.api.adminUrl, SUPPORT_TOKEN: TEST_OPERATOR_TOKEN }, timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

const escalation = async (refundId: string) => (await stack.pool.query<{ start_tries: number; start_escalated_at: Date | null }>(
  'SELECT start_tries, start_escalated_at FROM refunds WHERE refund_id = $1', [refundId])).rows[0]!;

/**
 * A paid order and a refund of it recorded as POST /api/refund commits it, never started, whose start the workers
 * give up on: the cause, one no retry fixes, is the order's read model naming a channel this build does not have
 * ('retired'; `channel` is the real one, to put back).
 */
async function escalatedRefund(receiver: MerchantReceiver, amountFen: number) {
  const { orderId, mercOrderNo } = await paidSandboxOrder(stack, merchant, '1.00', receiver.url);
  await eventually(async () => receiver.received.some((r) => r.body.orderId === orderId), 15_000, 'the payment notification');
  const order = (await findOrderById(stack.pool, orderId))!;
  await stack.pool.query("UPDATE orders SET channel = 'retired' WHERE order_id = $1", [orderId]);
  const mercRefundNo = `SR${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const refundId = newOrderId(Date.now(), randomBytes(8).readBigUInt64BE());
  await inTransaction(stack.pool, async (tx) => {
    expect(await insertRefund(tx, {
      refundId, mercNo: merchant.mercNo, mercRefundNo, orderId, workflowId: refundWorkflowId(merchant.mercNo, mercRefundNo),
      requestHash: requestHash({ mercOrderNo, mercRefundNo, refundAmt: formatFenAsYuan(amountFen), mercNo: merchant.mercNo }, 'test'), livemode: false,
      channel: order.channel, amountFen, reason: null, notifyUrl: receiver.url, signType: order.signType,
    })).toBe(true);
    expect(await holdRefundable(tx, orderId, amountFen)).not.toBeNull();
  });
  await eventually(async () => (await escalation(refundId)).start_escalated_at, 30_000, 'the refund start in the human queue');
  return { orderId, mercOrderNo, refundId, mercRefundNo, workflowId: refundWorkflowId(merchant.mercNo, mercRefundNo), channel: order.channel };
}

const payoutEscalation = async (orderId: string) => (await stack.pool.query<{ start_tries: number; start_escalated_at: Date | null }>(
  'SELECT start_tries, start_escalated_at FROM payouts WHERE order_id = $1', [orderId])).rows[0]!;

/**
 * A payout as the unified order commits it (order p0001, payee row, its amount counted against the day's limit),
 * never started, whose start the workers give up on: its order names a channel this build does not have ('retired';
 * 'sandbox' is the real one, to put back). `fields` is the merchant's request, to repeat.
 */
async function escalatedPayout(receiver: MerchantReceiver, tradeAmt: string) {
  const fields = { ...payoutFields({ tradeAmt, notifyUrl: receiver.url }), mercNo: merchant.mercNo };
  const draft = { ...parseUnifiedOrder(fields, 'MD5', Date.now()), livemode: false };
  const orderId = newOrderId(Date.now(), randomBytes(8).readBigUInt64BE());
  await inTransaction(stack.pool, async (tx) => {
    expect((await insertOrder(tx, {
      orderId, workflowId: orderWorkflowId(merchant.mercNo, draft.mercOrderNo), requestHash: requestHash(fields, 'test'), channel: 'retired',
      draft, firstPollDelayMs: 0, watchUntilMs: null,
    })).inserted).toBe(true);
    await tx.query('UPDATE orders SET next_poll_at = NULL WHERE order_id = $1', [orderId]);
    await savePayAnswer(tx, orderId, {
      kind: 'ok',
      data: {
        mercOrderNo: draft.mercOrderNo, tradeType: draft.tradeType, tradeAmt: formatFenAsYuan(draft.amountFen), tradeTime: draft.tradeTime,
        feeType: draft.feeType, termType: draft.termType, orderId,
      },
    });
    const reserved = await reservePayoutLimit(tx, merchant.mercNo, draft.amountFen, 10_000);
    await insertPayout(tx, { orderId, mercNo: merchant.mercNo, payee: draft.payee!, limitDay: reserved.day!, approvalRequired: false });
    await recordEvent(tx, { orderId, eventKey: 'created', type: 'created', toStatus: PayStatus.SUBMITTED, detail: { channel: 'sandbox', tradeType: '02' } });
  });
  await eventually(async () => (await payoutEscalation(orderId)).start_escalated_at, 30_000, 'the payout start in the human queue');
  return { orderId, fields, workflowId: orderWorkflowId(merchant.mercNo, draft.mercOrderNo) };
}

/** The order's start reviews: open ones, and the closed ones with their decision and actor. */
const startReviews = async (orderId: string) => (await stack.pool.query<{ refund_id: string | null; decision: string | null; decision_reason: string | null; actor: string | null }>(
  "SELECT refund_id, decision, decision_reason, actor FROM order_reviews WHERE order_id = $1 AND detail ? 'startTries' ORDER BY id", [orderId])).rows;

/** The events that took a start out of the human queue (support's retry start, or the merchant's repeat). */
const queueExits = async (orderId: string) => (await listEvents(stack.pool, orderId))
  .filter((e) => e.type === 'support_start_retried' || e.type === 'start_resumed_by_repeat');

describe('retry start of an escalated start', () => {
  it('is refused while the cause is there, starts the refund once it is fixed (channel once, merchant notified), audited; a repeat is harmless', async () => {
    const receiver = await new MerchantReceiver().start();
    try {
      const { orderId, refundId, mercRefundNo, workflowId, channel } = await escalatedRefund(receiver, 40);
      // The workers give up after START_RECOVERY_MAX_TRIES tries: the refund is in the human queue, with its action.
      const listed = await eventually(async () => {
        const q = await supportCall<{ orders: Array<Record<string, unknown>> }>(stack.api.adminUrl, 'GET', '/support/v1/ambiguous?limit=500');
        return q.body.orders.find((o) => o.refundId === refundId) ?? null;
      }, 30_000, 'the refund start in the human queue');
      expect(listed).toMatchObject({ orderId, kind: 'refund_unknown', retryStart: `/support/v1/refunds/${refundId}/retry-start`, detail: { startTries: START_RECOVERY_MAX_TRIES } });
      expect((await escalation(refundId)).start_escalated_at).not.toBeNull();
      const queue = await cli(['ambiguous', '--limit', '500']);
      expect(queue.code, queue.stderr).toBe(0);
      expect(queue.stdout).toContain(`npm run support -- retry-start refund ${refundId} --reason TEXT`);

      // resolve cannot reach a workflow that never ran: it names the action that can.
      const resolve = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'POST', `/support/v1/refunds/${refundId}/resolve`, {
        body: { decision: 'not_refunded', reason: 'checked' },
      });
      expect(resolve.status).toBe(409);
      expect(resolve.body.error.message).toContain(`/support/v1/refunds/${refundId}/retry-start`);

      // Not an operator's token, or none: 401 unauthorized, nothing changed.
      for (const token of ['not-an-operator-token-0123456789', null]) {
        const refused = await retryStart(refundId, { token });
        expect(refused.status).toBe(401);
        expect(refused.body.error.code).toBe('unauthorized');
        expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="support"');
      }
      // A reason is required.
      const noReason = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'POST', `/support/v1/refunds/${refundId}/retry-start`, { body: {} });
      expect(noReason.status).toBe(400);
      expect(noReason.body.error).toMatchObject({ code: 'invalid_request', field: 'reason' });

      // The cause is still there: refused with it, and the refund stays in the queue.
      const early = await retryStart(refundId, { reason: 'too soon' });
      expect(early.status).toBe(409);
      expect(early.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining(`order ${orderId} has an unknown channel`) });
      const earlyCli = await cli(['retry-start', 'refund', refundId, '--reason', 'too soon']);
      expect(earlyCli.code).toBe(1);
      expect(earlyCli.stderr).toContain('HTTP 409 conflict');
      expect(earlyCli.stderr).toContain('has an unknown channel');
      expect((await escalation(refundId)).start_escalated_at).not.toBeNull();

      // The person fixes the cause (the order's channel put right), then retries: two operators at once, one of them acts.
      await stack.pool.query('UPDATE orders SET channel = $2 WHERE order_id = $1', [orderId, channel]);
      const [a, b] = await Promise.all([retryStart(refundId), retryStart(refundId)]);
      const ok = [a, b].filter((r) => r.status === 200);
      expect(ok, JSON.stringify([a.body, b.body])).toHaveLength(1);
      expect([a, b].find((r) => r.status !== 200)).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
      expect(ok[0]!.body).toMatchObject({ refundId, orderId, workflowId, start: 'started', previousTries: START_RECOVERY_MAX_TRIES, actor: TEST_OPERATOR });

      await refundReaches(stack, merchant, mercRefundNo, 'r0000', 20_000);
      const note = await eventually(async () => receiver.received.find((r) => r.body.notifyType === 'refund' && r.body.refundId === refundId) ?? null, 15_000, 'refund notification');
      expect(note.body).toMatchObject({ mercRefundNo, refundStatus: 'r0000', refundAmt: '0.40' });
      expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'refund')).toHaveLength(1);
      expect(await refundLedgerOf(stack.pool, orderId)).toEqual({ heldFen: 0, refundedFen: 40 });

      // Out of the queue, audited with the operator and their reason.
      expect(await escalation(refundId)).toEqual({ start_tries: 0, start_escalated_at: null });
      const review = (await stack.pool.query<{ decision: string; decision_reason: string; actor: string }>(
        'SELECT decision, decision_reason, actor FROM order_reviews WHERE refund_id = $1 AND resolved_at IS NOT NULL', [refundId])).rows;
      expect(review).toEqual([{ decision: 'start_retried', decision_reason: 'put the order channel right in the read model', actor: TEST_OPERATOR }]);
      const audit = (await listEvents(stack.pool, orderId)).filter((e) => e.type === 'support_start_retried');
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor: TEST_OPERATOR, detail: { refundId, workflowId, start: 'started', previousTries: START_RECOVERY_MAX_TRIES } });

      // A repeat is harmless: conflict, nothing started or sent again.
      const again = await retryStart(refundId);
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain('not in the human queue');
      const againCli = await cli(['retry-start', 'refund', refundId, '--reason', 'again']);
      expect(againCli.code).toBe(1);
      expect(againCli.stderr).toContain('not in the human queue');
      expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'refund')).toHaveLength(1);
      expect((await listEvents(stack.pool, orderId)).filter((e) => e.type === 'support_start_retried')).toHaveLength(1);
    } finally {
      await receiver.stop();
    }
  });

  it('the console shows every open review of an order, each with its own form: retry start, the order\'s decision, a refund\'s decision', async () => {
    const receiver = await new MerchantReceiver().start();
    const browser = await launchChromium();
    try {
      const { orderId, refundId, mercRefundNo, workflowId, channel } = await escalatedRefund(receiver, 25);
      // A second open review of the same order: a reconciliation finding about the order itself.
      const orderWf = (await findOrderById(stack.pool, orderId))!.workflowId;
      expect(await openReconReview(stack.pool, { orderId, workflowId: orderWf, refundId: null, reason: 'the statement lists this payment twice', detail: {} })).toBe(true);
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${stack.api.adminUrl}/console/login`);
      await page.fill('#token', TEST_OPERATORS['ops-bob']);
      await page.click('button[type=submit]');
      await page.waitForURL(`${stack.api.adminUrl}/console`);
      expect(await page.textContent('main')).toContain('never started');

      await page.goto(`${stack.api.adminUrl}/console/orders/${orderId}`);
      const retry = page.locator('section[aria-label="Retry start"]');
      const decision = page.locator('section[aria-label="Decision"]');
      const refundDecision = page.locator('section[aria-label="Refund decision"]');
      // Both open reviews are shown, each with its own form (paid/unpaid only on the order's own).
      expect(await retry.count()).toBe(1);
      expect(await decision.count()).toBe(1);
      expect(await retry.textContent()).toContain(`Refund ${refundId}`);
      expect(await decision.textContent()).toContain('the statement lists this payment twice');
      expect(await retry.locator('select[name=decision]').count()).toBe(0);
      expect(await decision.locator('select[name=decision]').count()).toBe(1);
      // Each form's fields have their own ids (labels point at their own field).
      const ids = await Promise.all((await page.locator('main textarea[name=reason]').all()).map((t) => t.getAttribute('id')));
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(2);
      for (const id of ids) expect(await page.locator(`label[for="${id}"]`).count()).toBe(1);

      // Still broken: the refusal is shown on the page, nothing changed, both reviews still there.
      await retry.locator('textarea[name=reason]').fill('first look');
      await retry.locator('button[type=submit]').click();
      await page.waitForURL(`${stack.api.adminUrl}/console/orders/${orderId}`);
      expect(await page.textContent('main')).toContain('has an unknown channel');
      expect((await escalation(refundId)).start_escalated_at).not.toBeNull();
      expect([await retry.count(), await decision.count()]).toEqual([1, 1]);

      await stack.pool.query('UPDATE orders SET channel = $2 WHERE order_id = $1', [orderId, channel]);
      await retry.locator('textarea[name=reason]').fill('channel put back');
      await retry.locator('button[type=submit]').click();
      await page.waitForURL(`${stack.api.adminUrl}/console/orders/${orderId}`);
      expect(await page.textContent('main')).toContain(`Refund ${refundId} started`);
      await refundReaches(stack, merchant, mercRefundNo, 'r0000', 20_000);
      await eventually(async () => receiver.received.some((r) => r.body.refundId === refundId && r.body.refundStatus === 'r0000'), 15_000, 'refund notification');
      expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'refund')).toHaveLength(1);
      expect((await listEvents(stack.pool, orderId)).filter((e) => e.type === 'support_start_retried'))
        .toEqual([expect.objectContaining({ actor: 'ops-bob', detail: expect.objectContaining({ refundId, reason: 'channel put back' }) })]);
      // The start is out of the queue; the order's own review is still there.
      await page.reload();
      expect([await retry.count(), await decision.count()]).toEqual([0, 1]);

      // A reconciliation finding about the refund: a refund's decision form beside the order's.
      expect(await openReconReview(stack.pool, { orderId, workflowId, refundId, reason: 'the statement lists no such refund', detail: {} })).toBe(true);
      await page.reload();
      expect([await refundDecision.count(), await decision.count()]).toEqual([1, 1]);
      expect(await refundDecision.textContent()).toContain(`Refund ${refundId}: the statement lists no such refund`);
      await refundDecision.locator('select[name=decision]').selectOption('refunded');
      await refundDecision.locator('textarea[name=reason]').fill('the channel portal shows it refunded');
      await refundDecision.locator('button[type=submit]').click();
      await page.waitForURL(`${stack.api.adminUrl}/console/orders/${orderId}`);
      expect(await page.textContent('.notice.ok')).toBe(`Refund ${refundId} resolved as refunded: it is now r0000.`);
      expect([await refundDecision.count(), await decision.count()]).toEqual([0, 1]);

      await decision.locator('select[name=decision]').selectOption('paid');
      await decision.locator('textarea[name=reason]').fill('one payment in the channel portal');
      await decision.locator('button[type=submit]').click();
      await page.waitForURL(`${stack.api.adminUrl}/console/orders/${orderId}`);
      expect(await page.textContent('.notice.ok')).toBe('Resolved as paid: the order is now p0000.');
      expect([await retry.count(), await decision.count(), await refundDecision.count()]).toEqual([0, 0, 0]);
      const settled = (await listEvents(stack.pool, orderId)).filter((e) => e.type === 'support_recon_settled');
      expect(settled.map((e) => [e.actor, e.detail.decision, e.detail.refundId ?? null])).toEqual([['ops-bob', 'refunded', refundId], ['ops-bob', 'paid', null]]);
      expect((await stack.pool.query('SELECT 1 FROM order_reviews WHERE order_id = $1 AND resolved_at IS NULL', [orderId])).rowCount).toBe(0);
    } finally {
      await browser.close();
      await receiver.stop();
    }
  });

  it('a payout whose start was escalated: resolve refused naming retry start; after the fix retry start sends it once, p0000, notified', async () => {
    const receiver = await new MerchantReceiver().start();
    try {
      const { orderId } = await escalatedPayout(receiver, '1.20');
      const listed = await eventually(async () => {
        const q = await supportCall<{ orders: Array<Record<string, unknown>> }>(stack.api.adminUrl, 'GET', '/support/v1/ambiguous?limit=500');
        return q.body.orders.find((o) => o.orderId === orderId) ?? null;
      }, 30_000, 'the payout start in the human queue');
      expect(listed).toMatchObject({ kind: 'unknown_result', retryStart: `/support/v1/orders/${orderId}/retry-start`, detail: { payout: true, startTries: START_RECOVERY_MAX_TRIES } });
      const resolve = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'POST', `/support/v1/orders/${orderId}/resolve`, { body: { decision: 'unpaid', reason: 'checked' } });
      expect(resolve.status).toBe(409);
      expect(resolve.body.error.message).toContain(`/support/v1/orders/${orderId}/retry-start`);

      await stack.pool.query("UPDATE orders SET channel = 'sandbox' WHERE order_id = $1", [orderId]);
      const cli1 = await cli(['retry-start', 'payout', orderId, '--reason', 'channel put back']);
      expect(cli1.code, cli1.stderr).toBe(0);
      expect(cli1.stdout).toContain(`payout ${orderId}: workflow`);
      expect(cli1.stdout).toContain(`the workers had tried ${START_RECOVERY_MAX_TRIES} times`);
      await orderReaches(stack, orderId, 'p0000');
      await eventually(async () => receiver.received.some((r) => r.body.orderId === orderId && r.body.payStatus === 'p0000'), 15_000, 'payout notification');
      expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'transfer')).toHaveLength(1);
      expect((await findPayout(stack.pool, orderId))!.workflowStarted).toBe(true);
      const review = (await stack.pool.query<{ decision: string; actor: string }>(
        'SELECT decision, actor FROM order_reviews WHERE order_id = $1 AND resolved_at IS NOT NULL', [orderId])).rows;
      expect(review).toEqual([{ decision: 'start_retried', actor: TEST_OPERATOR }]);
      const again = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'POST', `/support/v1/orders/${orderId}/retry-start`, { body: { reason: 'again' } });
      expect(again.status).toBe(409);
      expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'transfer')).toHaveLength(1);
    } finally {
      await receiver.stop();
    }
  });

  it('a refund the merchant\'s repeat started after the fix leaves the queue (the merchant as actor, one event); retry start then has nothing to do', async () => {
    const receiver = await new MerchantReceiver().start();
    try {
      const { orderId, mercOrderNo, refundId, mercRefundNo, workflowId, channel } = await escalatedRefund(receiver, 15);
      // The workers claim an escalated start no more (they would not start it on their own even once it could be).
      expect((await claimUnstartedRefunds(stack.pool, RefundStatus.SUBMITTED, 0, 1000)).map((r) => r.item.refundId)).not.toContain(refundId);
      // While the cause is there, the merchant's repeat does not start it (999999) and the queue keeps it.
      const early = await refundCall(stack, merchant, { mercOrderNo, mercRefundNo, refundAmt: '0.15' });
      expect(early.body.respCode).toBe('999999');
      expect((await escalation(refundId)).start_escalated_at).not.toBeNull();
      expect(await startReviews(orderId)).toEqual([{ refund_id: refundId, decision: null, decision_reason: null, actor: null }]);

      await stack.pool.query('UPDATE orders SET channel = $2 WHERE order_id = $1', [orderId, channel]);
      const repeat = await refundCall(stack, merchant, { mercOrderNo, mercRefundNo, refundAmt: '0.15' });
      expect(repeat.body, repeat.body.respDesc).toMatchObject({ respCode: '000000', refundId });
      // Out of the queue as the repeat answers: escalation cleared, the review closed with the merchant as actor.
      expect(await escalation(refundId)).toEqual({ start_tries: 0, start_escalated_at: null });
      expect(await startReviews(orderId)).toEqual([
        { refund_id: refundId, decision: 'start_retried', decision_reason: 'started by the merchant\'s repeat request', actor: `merchant:${merchant.mercNo}` },
      ]);
      const exits = await queueExits(orderId);
      expect(exits).toHaveLength(1);
      expect(exits[0]).toMatchObject({
        type: 'start_resumed_by_repeat', actor: `merchant:${merchant.mercNo}`,
        detail: { refundId, workflowId, start: 'started', previousTries: START_RECOVERY_MAX_TRIES },
      });
      await refundReaches(stack, merchant, mercRefundNo, 'r0000', 20_000);
      await eventually(async () => receiver.received.some((r) => r.body.refundId === refundId && r.body.refundStatus === 'r0000'), 15_000, 'refund notification');

      // Support's retry start finds nothing in the queue; a further repeat writes nothing more; the channel asked once.
      const retried = await retryStart(refundId, { reason: 'too late' });
      expect(retried.status).toBe(409);
      expect(retried.body.error.message).toContain('not in the human queue');
      const again = await refundCall(stack, merchant, { mercOrderNo, mercRefundNo, refundAmt: '0.15' });
      expect(again.body).toMatchObject({ respCode: '000000', refundId, refundStatus: 'r0000' });
      expect(await queueExits(orderId)).toHaveLength(1);
      expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'refund')).toHaveLength(1);
      // Started: the workers' recovery can no longer put it in the queue (a late escalation from an earlier claim).
      expect(await markRefundStartEscalated(stack.pool, refundId, RefundStatus.SUBMITTED)).toBe(false);
      expect((await escalation(refundId)).start_escalated_at).toBeNull();

      // A refund its workflow moved while its start sat in the queue (escalated before the start could be recorded):
      // the merchant's repeat takes it out too, nothing started ('existed').
      await stack.pool.query('UPDATE refunds SET start_escalated_at = now(), start_tries = 3 WHERE refund_id = $1', [refundId]);
      expect(await openRefundReview(stack.pool, { orderId, refundId, workflowId, reason: 'staged', detail: { startTries: 3 } })).toBe(true);
      expect((await refundCall(stack, merchant, { mercOrderNo, mercRefundNo, refundAmt: '0.15' })).body).toMatchObject({ respCode: '000000', refundStatus: 'r0000' });
      expect(await escalation(refundId)).toEqual({ start_tries: 0, start_escalated_at: null });
      expect((await queueExits(orderId)).map((e) => [e.type, e.detail.start, e.detail.previousTries])).toEqual([
        ['start_resumed_by_repeat', 'started', START_RECOVERY_MAX_TRIES], ['start_resumed_by_repeat', 'existed', 3],
      ]);
      expect((await startReviews(orderId)).every((r) => r.decision === 'start_retried')).toBe(true);
      expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'refund')).toHaveLength(1);
    } finally {
      await receiver.stop();
    }
  });

  it('a payout the merchant\'s repeat started after the fix leaves the queue, is sent once, p0000; retry start then has nothing to do', async () => {
    const receiver = await new MerchantReceiver().start();
    try {
      const { orderId, fields, workflowId } = await escalatedPayout(receiver, '0.90');
      expect((await claimUnstartedPayouts(stack.pool, PayStatus.SUBMITTED, 0, 1000)).map((p) => p.item)).not.toContain(orderId);
      await stack.pool.query("UPDATE orders SET channel = 'sandbox' WHERE order_id = $1", [orderId]);
      const repeat = await payoutCall(stack, merchant, fields);
      expect(repeat.body, repeat.body.respDesc).toMatchObject({ respCode: '000000', orderId });
      expect(await payoutEscalation(orderId)).toEqual({ start_tries: 0, start_escalated_at: null });
      expect(await startReviews(orderId)).toEqual([
        { refund_id: null, decision: 'start_retried', decision_reason: 'started by the merchant\'s repeat request', actor: `merchant:${merchant.mercNo}` },
      ]);
      const exits = await queueExits(orderId);
      expect(exits).toEqual([expect.objectContaining({
        type: 'start_resumed_by_repeat', actor: `merchant:${merchant.mercNo}`,
        detail: expect.objectContaining({ payout: true, workflowId, start: 'started', previousTries: START_RECOVERY_MAX_TRIES }),
      })]);
      await orderReaches(stack, orderId, 'p0000');
      await eventually(async () => receiver.received.some((r) => r.body.orderId === orderId && r.body.payStatus === 'p0000'), 15_000, 'payout notification');

      const retried = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'POST', `/support/v1/orders/${orderId}/retry-start`, { body: { reason: 'too late' } });
      expect(retried.status).toBe(409);
      expect(retried.body.error.message).toContain('not in the human queue');
      expect((await payoutCall(stack, merchant, fields)).body).toMatchObject({ respCode: '000000', orderId });
      expect(await queueExits(orderId)).toHaveLength(1);
      expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'transfer')).toHaveLength(1);
      expect(await markPayoutStartEscalated(stack.pool, orderId)).toBe(false);
      expect((await payoutEscalation(orderId)).start_escalated_at).toBeNull();

      // A payout whose start is recorded yet sits in the queue (escalated before the start could be recorded): the
      // repeat takes it out too, nothing started ('existed').
      await stack.pool.query('UPDATE payouts SET start_escalated_at = now(), start_tries = 4 WHERE order_id = $1', [orderId]);
      expect(await openReview(stack.pool, { orderId, workflowId, kind: 'unknown_result', reason: 'staged', detail: { payout: true, startTries: 4 } })).toBe(true);
      expect((await payoutCall(stack, merchant, fields)).body).toMatchObject({ respCode: '000000', orderId });
      expect(await payoutEscalation(orderId)).toEqual({ start_tries: 0, start_escalated_at: null });
      expect((await queueExits(orderId)).map((e) => [e.type, e.detail.start, e.detail.previousTries])).toEqual([
        ['start_resumed_by_repeat', 'started', START_RECOVERY_MAX_TRIES], ['start_resumed_by_repeat', 'existed', 4],
      ]);
      expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'transfer')).toHaveLength(1);
    } finally {
      await receiver.stop();
    }
  });

  it('support\'s retry start and the merchant\'s repeat at once: started once, taken out of the queue once, one event', async () => {
    const receiver = await new MerchantReceiver().start();
    try {
      const refunds = await Promise.all([escalatedRefund(receiver, 11), escalatedRefund(receiver, 12)]);
      for (const { orderId, channel } of refunds) await stack.pool.query('UPDATE orders SET channel = $2 WHERE order_id = $1', [orderId, channel]);
      for (const [i, { orderId, mercOrderNo, refundId, mercRefundNo }] of refunds.entries()) {
        const repeat = () => refundCall(stack, merchant, { mercOrderNo, mercRefundNo, refundAmt: formatFenAsYuan(11 + i) });
        // Both orders of arrival: the repeat sent first, then support first.
        const [r, s] = i === 0
          ? await Promise.all([repeat(), retryStart(refundId, { reason: 'race' })])
          : await Promise.all([retryStart(refundId, { reason: 'race' }), repeat()]).then(([b, a]) => [a, b] as const);
        expect(r.body, r.body.respDesc).toMatchObject({ respCode: '000000', refundId });
        expect([200, 409], JSON.stringify(s.body)).toContain(s.status);
        expect(await escalation(refundId)).toEqual({ start_tries: 0, start_escalated_at: null });
        const reviews = await startReviews(orderId);
        expect(reviews).toHaveLength(1);
        const exits = await queueExits(orderId);
        expect(exits).toHaveLength(1);
        // The one who closed it is the one audited, and support's answer says whether it was them.
        expect(reviews[0]).toMatchObject({ decision: 'start_retried', actor: exits[0]!.actor });
        expect(exits[0]!.type).toBe(s.status === 200 ? 'support_start_retried' : 'start_resumed_by_repeat');
        await refundReaches(stack, merchant, mercRefundNo, 'r0000', 20_000);
        expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'refund')).toHaveLength(1);
      }

      // The shared guard itself, six at once (support's and the merchant's mixed) on an escalation as the workers
      // leave it: exactly one takes it out, closes the review and writes its event.
      const { orderId, refundId, workflowId } = refunds[0]!;
      await inTransaction(stack.pool, async (tx) => {
        await tx.query('UPDATE refunds SET start_escalated_at = now(), start_tries = $2 WHERE refund_id = $1', [refundId, START_RECOVERY_MAX_TRIES]);
        expect(await openRefundReview(tx, { orderId, refundId, workflowId, reason: 'staged', detail: { startTries: START_RECOVERY_MAX_TRIES } })).toBe(true);
      });
      const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => takeStartOutOfQueue(
        stack.pool, { kind: 'refund', refundId }, { orderId, workflowId, start: 'existed' },
        i % 2 ? { by: 'support', actor: TEST_OPERATOR, reason: 'staged race' } : { by: 'merchant_repeat', mercNo: merchant.mercNo },
      )));
      expect(outcomes.filter((o) => o !== null)).toEqual([START_RECOVERY_MAX_TRIES]);
      const reviews = await startReviews(orderId);
      expect(reviews).toHaveLength(2);
      expect(reviews.every((r) => r.decision === 'start_retried')).toBe(true);
      expect(await queueExits(orderId)).toHaveLength(2);
      expect(await escalation(refundId)).toEqual({ start_tries: 0, start_escalated_at: null });
    } finally {
      await receiver.stop();
    }
  });

  it('an unknown refund or order is not_found; an order that is not a payout is conflict', async () => {
    const unknown = await retryStart('99990101000000000000');
    expect(unknown.status).toBe(404);
    const notPayout = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'POST', '/support/v1/orders/99990101000000000000/retry-start', { body: { reason: 'x' } });
    expect(notPayout.status).toBe(404);
    const { orderId } = await paidSandboxOrder(stack, merchant, '0.50');
    const order = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'POST', `/support/v1/orders/${orderId}/retry-start`, { body: { reason: 'x' } });
    expect(order.status).toBe(409);
    expect(order.body.error.message).toContain('is not a payout');
  });
});
