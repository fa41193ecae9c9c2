import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { eventually, merchantCall, startStack, testMerchant, type TestMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { TcpProxy } from '../support/tcp-proxy';
import { paidSandboxOrder, refundCall, refundReaches } from '../support/refunds';
import { runEntryPoint, type ChildHandle } from '../../devstack/child';
import { freePort, repoRoot } from '../../devstack/paths';
import { requestHash } from '../../api/request-hash';
import { inTransaction } from '../../db/pool';
import { claimUnstartedRefunds, findRefundByMercRefundNo, holdRefundable, insertRefund, refundLedgerOf } from '../../db/refunds';
import { findOrderById } from '../../db/orders';
import { listChannelCalls } from '../../db/channel-calls';
import { newOrderId } from '../../domain/order-id';
import { RefundStatus, refundWorkflowId } from '../../domain/refund-status';
import { START_RECOVERY_MAX_TRIES } from '../../worker/start-recovery';

// Refund start crash safety. The workers run as their own processes (worker/main.ts) so that one can be killed with
// SIGKILL. The sandbox refunds after a delay (its refund is PENDING meanwhile), so a refund is in flight for a while.
let stack: TestStack;
let merchant: TestMerchant;
/** The API reaches Temporal through this proxy (the workers directly): cut, the API cannot start workflows. */
let proxy: TcpProxy;
const workers: ChildHandle[] = [];

function spawnWorker(env: Record<string, string> = {}): ChildHandle {
  const w = runEntryPoint(join(repoRoot, 'worker/main.ts'), { ...stack.env, WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'), ...env }, { silent: true });
  workers.push(w);
  return w;
}

beforeAll(async () => {
  proxy = await new TcpProxy(inject('temporalAddress')).start();
  stack = await startStack({
    REFUND_START_RECOVERY_AFTER: '300ms', REFUND_QUERY_SCHEDULE: '200ms', SANDBOX_REFUND_MODE: 'delayed', SANDBOX_REFUND_DELAY: '1500ms',
    POLL_SCHEDULE: '1h', REFUND_ANSWER_TIMEOUT: '1s',
  }, { worker: false, apiTemporalAddress: proxy.address });
  merchant = await testMerchant(stack.pool, { notifyScheduleMs: [200, 200, 200] });
});
afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.stop('SIGKILL')));
  await stack?.stop();
  await proxy?.stop();
});

const refundNo = () => `RS${Date.now()}${Math.floor(Math.random() * 1e6)}`;

describe('refund start recovery', () => {
  it('a refund whose workflow runs but no worker has picked it up yet is recorded as started: the recovery does not take it for one never started', async () => {
    const receiver = await new MerchantReceiver().start();
    try {
      const payer = spawnWorker();
      await payer.ready;
      const { orderId, mercOrderNo } = await paidSandboxOrder(stack, merchant, '1.00', receiver.url);
      await receiver.waitFor(1);
      await payer.stop();
      // No worker now: the API starts the workflow, which nobody runs yet.
      const mercRefundNo = refundNo();
      const asked = await refundCall(stack, merchant, { mercOrderNo, mercRefundNo, refundAmt: '0.20' });
      expect(asked.body, asked.body.respDesc).toMatchObject({ respCode: '000000', refundStatus: 'r0001' });
      const refund = (await findRefundByMercRefundNo(stack.pool, merchant.mercNo, mercRefundNo))!;
      const started = (await stack.pool.query<{ workflow_started_at: Date | null }>('SELECT workflow_started_at FROM refunds WHERE refund_id = $1', [refund.refundId])).rows[0]!;
      expect(started.workflow_started_at).not.toBeNull();
      // Still r0001 and overdue for any interval, yet not claimed as never started.
      expect((await claimUnstartedRefunds(stack.pool, RefundStatus.SUBMITTED, 1, 1000)).map((r) => r.item.refundId)).not.toContain(refund.refundId);
      const worker = spawnWorker();
      await worker.ready;
      await refundReaches(stack, merchant, mercRefundNo, 'r0000', 20_000);
      expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'refund')).toHaveLength(1);
      await worker.stop();
    } finally {
      await receiver.stop();
    }
  });

  it('a refund recorded but never started (the API died between the two) is started by the workers and completes', async () => {
    const metricsPort = await freePort();
    const worker = spawnWorker({ WORKER_HTTP_PORT: String(metricsPort) });
    await worker.ready;
    const recoveries = async () => Number(/^paydurable_refund_start_recoveries_total (\d+)/m
      .exec(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text())?.[1] ?? NaN);
    expect(await recoveries()).toBe(0);
    const receiver = await new MerchantReceiver().start();
    try {
      const { orderId, mercOrderNo } = await paidSandboxOrder(stack, merchant, '1.00', receiver.url);
      await receiver.waitFor(1);

      // What POST /api/refund commits in its transaction (the refund r0001, its amount held), and then no start:
      // the state an API killed with SIGKILL right after the commit leaves behind.
      const mercRefundNo = refundNo();
      const request = { mercOrderNo, mercRefundNo, refundAmt: '0.30' };
      const refundId = newOrderId(Date.now(), randomBytes(8).readBigUInt64BE());
      const order = (await findOrderById(stack.pool, orderId))!;
      await inTransaction(stack.pool, async (tx) => {
        expect(await insertRefund(tx, {
          refundId, mercNo: merchant.mercNo, mercRefundNo, orderId, workflowId: refundWorkflowId(merchant.mercNo, mercRefundNo),
          requestHash: requestHash({ ...request, mercNo: merchant.mercNo }, 'test'), livemode: false, channel: order.channel,
          amountFen: 30, reason: null, notifyUrl: receiver.url, signType: order.signType,
        })).toBe(true);
        expect(await holdRefundable(tx, orderId, 30)).not.toBeNull();
      });
      // Not due before REFUND_START_RECOVERY_AFTER: a claim that waits an hour does not take it.
      expect((await claimUnstartedRefunds(stack.pool, RefundStatus.SUBMITTED, 3_600_000, 1000)).map((r) => r.item.refundId)).not.toContain(refundId);

      await refundReaches(stack, merchant, mercRefundNo, 'r0000', 20_000);
      await receiver.waitFor(2, 10_000);
      const note = receiver.received.find((r) => r.body.notifyType === 'refund')!;
      expect(note.body).toMatchObject({ refundId, mercRefundNo, refundStatus: 'r0000', refundAmt: '0.30' });
      expect(note.headers['x-notify-id']).toBe(`${refundId}-r0000`);
      expect(await refundLedgerOf(stack.pool, orderId)).toEqual({ heldFen: 0, refundedFen: 30 });
      expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'refund')).toHaveLength(1);
      expect(await recoveries()).toBeGreaterThanOrEqual(1);
      // The merchant's repeat of its request is the same refund (the row is the use case's), final now.
      const again = await refundCall(stack, merchant, request);
      expect(again.body).toMatchObject({ respCode: '000000', refundId, refundStatus: 'r0000' });
    } finally {
      await receiver.stop();
      await worker.stop();
    }
  });

  it('Temporal unreachable from the API when it starts a refund: answered 999999, recorded, and the workers start it', async () => {
    const worker = spawnWorker();
    await worker.ready;
    const receiver = await new MerchantReceiver().start();
    try {
      const { orderId, mercOrderNo } = await paidSandboxOrder(stack, merchant, '1.00', receiver.url);
      const mercRefundNo = refundNo();
      await proxy.cut();
      const refused = await refundCall(stack, merchant, { mercOrderNo, mercRefundNo, refundAmt: '0.60' });
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ respCode: '999999', respDesc: expect.stringContaining('recorded but not yet started') });
      // The API stays cut off from Temporal: only the workers can start it.
      const refund = await refundReaches(stack, merchant, mercRefundNo, 'r0000', 20_000);
      expect(refund.refundAmt).toBe('0.60');
      await eventually(async () => receiver.received.some((r) => r.body.mercRefundNo === mercRefundNo && r.body.refundStatus === 'r0000'), 10_000, 'refund notification');
      expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'refund')).toHaveLength(1);
      expect(await refundLedgerOf(stack.pool, orderId)).toEqual({ heldFen: 0, refundedFen: 60 });
    } finally {
      await proxy.restore();
      await receiver.stop();
      await worker.stop();
    }
  });

  it('a refund survives SIGKILL of its worker mid-refund: a new worker completes it, the channel asked once', async () => {
    const first = spawnWorker();
    await first.ready;
    const receiver = await new MerchantReceiver().start();
    try {
      const { orderId, mercOrderNo } = await paidSandboxOrder(stack, merchant, '2.00', receiver.url);
      const mercRefundNo = refundNo();
      const asked = await refundCall(stack, merchant, { mercOrderNo, mercRefundNo, refundAmt: '2.00' });
      expect(asked.body.respCode, asked.body.respDesc).toBe('000000');
      // Killed once the channel has the refund (PENDING for 1.5 s at the sandbox) and the refund is processing.
      await eventually(async () => (await listChannelCalls(stack.pool, orderId)).some((c) => c.op === 'refund'), 10_000, 'the refund asked at the channel');
      expect((await findRefundByMercRefundNo(stack.pool, merchant.mercNo, mercRefundNo))?.refundStatus).toBe('r0002');
      first.child.kill('SIGKILL');
      expect(await first.stop()).toBeNull();

      const second = spawnWorker();
      await second.ready;
      await refundReaches(stack, merchant, mercRefundNo, 'r0000', 30_000);
      await eventually(async () => receiver.received.some((r) => r.body.mercRefundNo === mercRefundNo && r.body.refundStatus === 'r0000'), 15_000, 'refund notification');
      const calls = (await listChannelCalls(stack.pool, orderId)).filter((c) => c.op.startsWith('refund'));
      expect(calls.filter((c) => c.op === 'refund')).toHaveLength(1);
      expect(calls.at(-1)).toMatchObject({ op: 'refund_query', status: 'SUCCESS' });
      expect(await refundLedgerOf(stack.pool, orderId)).toEqual({ heldFen: 0, refundedFen: 200 });
    } finally {
      await receiver.stop();
    }
  });

  it('a refund whose workflow closed without moving it goes to the human queue after START_RECOVERY_MAX_TRIES tries, and is tried no more', async () => {
    const worker = spawnWorker();
    await worker.ready;
    const receiver = await new MerchantReceiver().start();
    try {
      const { orderId, mercOrderNo } = await paidSandboxOrder(stack, merchant, '1.00', receiver.url);
      const mercRefundNo = refundNo();
      const workflowId = refundWorkflowId(merchant.mercNo, mercRefundNo);
      // Its workflow id is taken by a run that closed (terminated here) before moving the refund: no start can fix that.
      const closed = await stack.client.workflow.start('refundWorkflow', { workflowId, taskQueue: `nobody-${mercRefundNo}`, args: [] });
      await closed.terminate('test: a run that closed without moving its refund');
      const refundId = newOrderId(Date.now(), randomBytes(8).readBigUInt64BE());
      const order = (await findOrderById(stack.pool, orderId))!;
      await inTransaction(stack.pool, async (tx) => {
        expect(await insertRefund(tx, {
          refundId, mercNo: merchant.mercNo, mercRefundNo, orderId, workflowId,
          requestHash: requestHash({ mercOrderNo, mercRefundNo, refundAmt: '0.10', mercNo: merchant.mercNo }, 'test'), livemode: false,
          channel: order.channel, amountFen: 10, reason: null, notifyUrl: receiver.url, signType: order.signType,
        })).toBe(true);
        expect(await holdRefundable(tx, orderId, 10)).not.toBeNull();
      });

      const review = await eventually(async () => (await stack.pool.query<{ reason: string }>(
        'SELECT reason FROM order_reviews WHERE refund_id = $1 AND resolved_at IS NULL', [refundId])).rows[0] ?? null, 30_000, 'the refund in the human queue');
      expect(review.reason).toContain(`could not be started after ${START_RECOVERY_MAX_TRIES} tries`);
      expect(review.reason).toContain('has closed with the refund still r0001');
      const row = (await stack.pool.query<{ start_tries: number; start_escalated_at: Date | null }>(
        'SELECT start_tries, start_escalated_at FROM refunds WHERE refund_id = $1', [refundId])).rows[0]!;
      expect(row.start_tries).toBe(START_RECOVERY_MAX_TRIES);
      expect(row.start_escalated_at).not.toBeNull();
      // Claimed no more, and the channel was never asked.
      expect((await claimUnstartedRefunds(stack.pool, RefundStatus.SUBMITTED, 1, 1000)).map((r) => r.item.refundId)).not.toContain(refundId);
      expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'refund')).toHaveLength(0);
      expect((await findRefundByMercRefundNo(stack.pool, merchant.mercNo, mercRefundNo))?.refundStatus).toBe('r0001');
    } finally {
      await receiver.stop();
      await worker.stop();
    }
  });
});
