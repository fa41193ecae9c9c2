import { eventually, merchantCall, payInSandbox, testMerchant, type TestStack } from '../../test/support/stack-core';
import type { IpaynowStack } from '../../test/support/ipaynow-stack';
import { MerchantReceiver, type Behaviour } from '../../test/support/merchant-receiver';
import { unifiedOrderFields } from '../../test/support/requests';
import { supportCall } from '../../test/support/support-call';
import { findOrderById, type OrderRecord } from '../../db/orders';
import type { TestMerchant as Merchant } from '../../test/support/stack-core';
import { lateReportWorkflowId } from '../../domain/order';
import { formatCompactTime } from '../../domain/time';
import { setChannelRoutes } from '../../db/channel-routes';
import type { ChannelName } from '../../domain/channels';
import { findPayout, setPayoutSettings } from '../../db/payouts';
import { orderWorkflowId } from '../../domain/order';
import { shanghaiDateOf } from '../../domain/reconciliation';
import { startReconRun } from '../../reconciliation/run';

/**
 * The workflow paths whose histories the replay test replays (test/workflow/replay.test.ts). Each drives one real
 * order through the HTTP API, the sandbox cashier and the support API, waits until its workflows have completed and
 * names them: `file` is the history's name in test/workflow/histories.
 */
export interface RecordedWorkflow {
  file: string;
  workflowId: string;
}

export interface PathContext {
  sandbox: TestStack;
  ipaynow: IpaynowStack;
  /** Every merchant the paths created: their sign keys must not appear in a history. */
  merchants: Merchant[];
  /** The merchants' notify endpoints, stopped by the recorder at the end. */
  receivers: MerchantReceiver[];
}

export interface WorkflowPath {
  name: string;
  run(ctx: PathContext): Promise<RecordedWorkflow[]>;
}

const WAIT_MS = 30_000;
/** Long enough that only support's actions cause attempts while a path runs. */
const LONG_MS = 10 * 60_000;

export const WORKFLOW_PATHS: WorkflowPath[] = [
  {
    name: 'paid',
    async run(ctx) {
      const o = await placeOrder(ctx, ctx.sandbox);
      await payerPays(ctx.sandbox, o.channelOrderNo);
      await settled(ctx.sandbox, o.orderId, { payStatus: 'p0000', notifyState: 'delivered' });
      return [{ file: 'paid', workflowId: o.workflowId }];
    },
  },
  {
    name: 'expired',
    async run(ctx) {
      const o = await placeOrder(ctx, ctx.sandbox, { secondsToExpiry: 2 });
      await settled(ctx.sandbox, o.orderId, { payStatus: 'p0006', notifyState: 'delivered' });
      return [{ file: 'expired', workflowId: o.workflowId }];
    },
  },
  {
    name: 'closed',
    async run(ctx) {
      const o = await placeOrder(ctx, ctx.sandbox);
      await merchantCloses(ctx.sandbox, o);
      await settled(ctx.sandbox, o.orderId, { payStatus: 'p0005', notifyState: 'delivered' });
      return [{ file: 'closed', workflowId: o.workflowId }];
    },
  },
  {
    name: 'late payment (paid after the order workflow closed)',
    async run(ctx) {
      const o = await placeOrder(ctx, ctx.sandbox);
      await merchantCloses(ctx.sandbox, o);
      await settled(ctx.sandbox, o.orderId, { payStatus: 'p0005', notifyState: 'delivered' });
      await payerPays(ctx.sandbox, o.channelOrderNo, true);
      const lateId = lateReportWorkflowId(o.merchant.mercNo, o.mercOrderNo);
      await completed(ctx.sandbox, lateId);
      const order = await readOrder(ctx.sandbox, o.orderId);
      check(order.payStatus === 'p0000' && order.latePayment && order.notifyState === 'delivered', `late payment not applied: ${describe(order)}`);
      return [{ file: 'late-payment-order', workflowId: o.workflowId }, { file: 'late-payment-report', workflowId: lateId }];
    },
  },
  {
    name: 'notification paused, resumed and replayed',
    async run(ctx) {
      const fail: Behaviour = { kind: 'answer', body: 'fail' };
      const o = await placeOrder(ctx, ctx.sandbox, { notifyScheduleMs: [LONG_MS, LONG_MS, LONG_MS], script: [fail, fail, { kind: 'answer', body: 'success' }] });
      await payerPays(ctx.sandbox, o.channelOrderNo);
      await notifyState(ctx.sandbox, o.orderId, 'pending', 1);
      await notificationControl(ctx.sandbox, o.orderId, 'pause');
      await notifyState(ctx.sandbox, o.orderId, 'paused', 1);
      await notificationControl(ctx.sandbox, o.orderId, 'resume'); // attempts at once (attempt 2: the merchant fails)
      await notifyState(ctx.sandbox, o.orderId, 'pending', 2);
      await notificationControl(ctx.sandbox, o.orderId, 'replay'); // attempt 3 now instead of in LONG_MS: success
      await settled(ctx.sandbox, o.orderId, { payStatus: 'p0000', notifyState: 'delivered' });
      check(o.receiver.received.length === 3, `expected 3 notification attempts, the merchant got ${o.receiver.received.length}`);
      return [{ file: 'notification-paused-replayed', workflowId: o.workflowId }];
    },
  },
  {
    name: 'failover: the first channel of the route refuses the create, the next one takes the order and is paid',
    async run(ctx) {
      const { stack, emulator } = ctx.ipaynow;
      // Alipay is not configured in this stack: its create answers UNSUPPORTED, and IPayNow takes the order.
      const o = await placeOrder(ctx, stack, { live: true, routes: ['alipay', 'ipaynow'] });
      const moved = await readOrder(stack, o.orderId);
      check(moved.channel === 'ipaynow', `the order stayed at ${moved.channel}`);
      check(emulator.controls.pay(o.orderId).paid, 'the IPayNow emulator refused the payment');
      await settled(stack, o.orderId, { payStatus: 'p0000', notifyState: 'delivered' });
      return [{ file: 'failover-paid', workflowId: o.workflowId }];
    },
  },
  {
    name: 'unknown at expiry, escalated to the human queue, resolved by a person',
    async run(ctx) {
      const { stack, emulator } = ctx.ipaynow;
      const o = await placeOrder(ctx, stack, { secondsToExpiry: 2, live: true });
      // IPayNow answers every order query "result unknown" and sends no N001: only a person can settle the order.
      emulator.controls.setFaults({ notify: { mode: 'never' }, unknownResult: { MQ002: true } });
      try {
        await eventually(async () => {
          const q = await supportCall<{ orders?: { orderId: string; kind: string }[] }>(stack.api.adminUrl, 'GET', `/support/v1/ambiguous?mercNo=${o.merchant.mercNo}`);
          return q.body.orders?.some((r) => r.orderId === o.orderId && r.kind === 'unknown_result');
        }, WAIT_MS, 'the order in the human queue');
        const resolved = await supportCall(stack.api.adminUrl, 'POST', `/support/v1/orders/${o.orderId}/resolve`, {
          body: { decision: 'unpaid', reason: 'recorded history: the channel portal shows it unpaid' },
        });
        check(resolved.status === 200, `resolve answered ${resolved.status}: ${JSON.stringify(resolved.body)}`);
        await settled(stack, o.orderId, { payStatus: 'p0006', notifyState: 'delivered' });
      } finally {
        emulator.controls.resetFaults();
      }
      return [{ file: 'escalated-unknown', workflowId: o.workflowId }];
    },
  },
  {
    name: 'payout approved by a support operator, transferred once, notified',
    async run(ctx) {
      const stack = ctx.sandbox;
      const merchant = await testMerchant(stack.pool);
      ctx.merchants.push(merchant);
      await setPayoutSettings(stack.pool, merchant.mercNo, { approvalRequired: true });
      const receiver = await new MerchantReceiver().start();
      ctx.receivers.push(receiver);
      const fields = unifiedOrderFields({
        tradeType: '02', subject: 'Payout', tradeAmt: '2.00', notifyUrl: receiver.url,
        payeeAccount: 'payee@example.com', payeeName: 'Payee', payeeAccountType: 'alipay_logon_id',
      });
      const res = await merchantCall(stack.api.url, '/api/pay', merchant, fields);
      check(res.body.respCode === '000000', `payout refused: ${JSON.stringify(res.body)}`);
      const orderId = res.body.orderId!;
      await eventually(async () => (await findPayout(stack.pool, orderId))?.approval === 'pending', WAIT_MS, 'the payout waiting for approval');
      const approved = await supportCall(stack.api.adminUrl, 'POST', `/support/v1/orders/${orderId}/payout-approval`, {
        body: { decision: 'approve', reason: 'recorded history: payee checked' },
      });
      check(approved.status === 200, `approval answered ${approved.status}: ${JSON.stringify(approved.body)}`);
      await settled(stack, orderId, { payStatus: 'p0000', notifyState: 'delivered' });
      return [{ file: 'payout-approved', workflowId: orderWorkflowId(merchant.mercNo, fields.mercOrderNo!) }];
    },
  },
  {
    name: 'refund',
    async run(ctx) {
      const o = await placeOrder(ctx, ctx.sandbox);
      await payerPays(ctx.sandbox, o.channelOrderNo);
      await settled(ctx.sandbox, o.orderId, { payStatus: 'p0000', notifyState: 'delivered' });
      const workflowId = await refund(ctx.sandbox, o, '0.50');
      await completed(ctx.sandbox, workflowId);
      await refundEnded(ctx.sandbox, o, 'r0000');
      return [{ file: 'refund', workflowId }];
    },
  },
  {
    name: 'refund unknown then escalated and resolved by a person',
    async run(ctx) {
      const { stack, emulator } = ctx.ipaynow;
      const o = await placeOrder(ctx, stack, { live: true });
      emulator.controls.pay(o.orderId);
      await settled(stack, o.orderId, { payStatus: 'p0000', notifyState: 'delivered' });
      // R001 answers HTTP 500 without refunding: the answer is unknown and Q001 finds no such refund.
      emulator.controls.setFaults({ http500: { R001: true } });
      try {
        const workflowId = await refund(stack, o, '1.00');
        const refundId = await eventually(async () => {
          const q = await supportCall<{ orders?: { refundId?: string; kind: string }[] }>(stack.api.adminUrl, 'GET', `/support/v1/ambiguous?mercNo=${o.merchant.mercNo}`);
          return q.body.orders?.find((r) => r.kind === 'refund_unknown')?.refundId;
        }, WAIT_MS, 'the refund in the human queue');
        const resolved = await supportCall(stack.api.adminUrl, 'POST', `/support/v1/refunds/${refundId}/resolve`, {
          body: { decision: 'not_refunded', reason: 'recorded history: no such refund in the channel portal' },
        });
        check(resolved.status === 200, `refund resolve answered ${resolved.status}: ${JSON.stringify(resolved.body)}`);
        await completed(stack, workflowId);
        await refundEnded(stack, o, 'r0003');
        return [{ file: 'refund-escalated', workflowId }];
      } finally {
        emulator.controls.resetFaults();
      }
    },
  },
  {
    name: 'reconciliation: the sandbox statement shows a closed order paid (its report lost), reported into the order',
    async run(ctx) {
      const stack = ctx.sandbox;
      const o = await placeOrder(ctx, stack);
      await merchantCloses(stack, o);
      await settled(stack, o.orderId, { payStatus: 'p0005', notifyState: 'delivered' });
      // The sandbox's books say paid after all, without a report on its way: only the statement tells.
      await stack.pool.query(`UPDATE sandbox_orders SET status = 'paid', paid_at = now() WHERE order_id = $1`, [o.orderId]);
      const { workflowId } = await startReconRun(stack.client, stack.config, 'sandbox', shanghaiDateOf(Date.now()));
      await completed(stack, workflowId);
      await completed(stack, lateReportWorkflowId(o.merchant.mercNo, o.mercOrderNo));
      const order = await readOrder(stack, o.orderId);
      check(order.payStatus === 'p0000' && order.latePayment, `the statement's payment was not applied: ${describe(order)}`);
      return [{ file: 'reconciliation', workflowId }];
    },
  },
];

/** Asks for a refund of `amount` over the API; answers its workflow id. */
async function refund(stack: TestStack, o: PlacedOrder, amount: string): Promise<string> {
  const mercRefundNo = `H${o.mercOrderNo}`.slice(0, 32);
  const res = await merchantCall(stack.api.url, '/api/refund', o.merchant, { mercOrderNo: o.mercOrderNo, mercRefundNo, refundAmt: amount });
  check(res.body.respCode === '000000', `refund refused: ${JSON.stringify(res.body)}`);
  return `refund:${o.merchant.mercNo}:${mercRefundNo}`;
}

async function refundEnded(stack: TestStack, o: PlacedOrder, status: string): Promise<void> {
  const res = await merchantCall(stack.api.url, '/api/refund/query', o.merchant, { mercRefundNo: `H${o.mercOrderNo}`.slice(0, 32) });
  check(res.body.refundStatus === status && res.body.notifyState === 'delivered', `refund ended ${res.body.refundStatus}/${res.body.notifyState}, expected ${status}/delivered`);
}

interface PlacedOrder {
  merchant: Merchant;
  receiver: MerchantReceiver;
  orderId: string;
  mercOrderNo: string;
  channelOrderNo: string;
  workflowId: string;
}

/** A merchant of its own with a notify endpoint (answering `script`), and one unified order over the API. */
async function placeOrder(
  ctx: PathContext,
  stack: TestStack,
  opts: { secondsToExpiry?: number; notifyScheduleMs?: number[]; script?: Behaviour[]; live?: boolean; routes?: ChannelName[] } = {},
): Promise<PlacedOrder> {
  const merchant = await testMerchant(stack.pool, {
    ...(opts.notifyScheduleMs ? { notifyScheduleMs: opts.notifyScheduleMs } : {}), ...(opts.live ? { mode: 'live' as const } : {}),
  });
  ctx.merchants.push(merchant);
  if (opts.routes) await setChannelRoutes(stack.pool, merchant.mercNo, '*', opts.routes);
  const receiver = await new MerchantReceiver(opts.script).start();
  ctx.receivers.push(receiver);
  // orderPeriod is in minutes: a tradeTime backdated by (60 - s) seconds with a 1-minute period expires in s seconds.
  const expiry: Record<string, string> = opts.secondsToExpiry === undefined ? {} : {
    orderPeriod: '1', tradeTime: formatCompactTime(Date.now() - (60 - opts.secondsToExpiry) * 1000),
  };
  const res = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url, ...expiry }));
  check(res.body.respCode === '000000', `unified order refused: ${JSON.stringify(res.body)}`);
  const order = await readOrder(stack, res.body.orderId!);
  const credential = res.body.codeUrl ?? '';
  return {
    merchant, receiver, orderId: order.orderId, mercOrderNo: order.mercOrderNo, workflowId: order.workflowId,
    channelOrderNo: decodeURIComponent(credential.split('/').pop() ?? ''),
  };
}

async function payerPays(stack: TestStack, channelOrderNo: string, afterClose = false): Promise<void> {
  const paid = await payInSandbox(stack.api.url, channelOrderNo, afterClose);
  check(paid.body.paid, `the sandbox refused the payment: ${JSON.stringify(paid.body)}`);
}

async function merchantCloses(stack: TestStack, o: PlacedOrder): Promise<void> {
  const closed = await merchantCall(stack.api.url, '/api/close', o.merchant, { mercOrderNo: o.mercOrderNo });
  check(closed.body.respCode === '000000' && closed.body.payStatus === 'p0005', `close refused: ${JSON.stringify(closed.body)}`);
}

async function notificationControl(stack: TestStack, orderId: string, action: 'pause' | 'resume' | 'replay'): Promise<void> {
  const res = await supportCall(stack.api.adminUrl, 'POST', `/support/v1/orders/${orderId}/notification/${action}`, { body: {} });
  check(res.status === 202, `${action} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

function notifyState(stack: TestStack, orderId: string, state: string, attempts: number): Promise<OrderRecord> {
  return eventually(async () => {
    const o = await readOrder(stack, orderId);
    return o.notifyState === state && o.notifyAttempts === attempts ? o : null;
  }, WAIT_MS, `notification ${state} after ${attempts} attempt(s)`);
}

/** Waits until the order's workflow has completed, then checks where the order ended. */
async function settled(stack: TestStack, orderId: string, expected: Pick<OrderRecord, 'payStatus' | 'notifyState'>): Promise<void> {
  await completed(stack, (await readOrder(stack, orderId)).workflowId);
  const order = await readOrder(stack, orderId);
  check(order.payStatus === expected.payStatus && order.notifyState === expected.notifyState,
    `order ended ${describe(order)}, expected ${expected.payStatus}/${expected.notifyState}`);
}

/** Only completed workflows are recorded: a failed or terminated one stops the recorder. */
async function completed(stack: TestStack, workflowId: string): Promise<void> {
  const handle = stack.client.workflow.getHandle(workflowId);
  await eventually(async () => {
    const status = (await handle.describe()).status.name;
    if (status === 'RUNNING') return null;
    check(status === 'COMPLETED', `workflow ${workflowId} ended ${status}`);
    return true;
  }, WAIT_MS, `workflow ${workflowId} to complete`);
}

async function readOrder(stack: TestStack, orderId: string): Promise<OrderRecord> {
  const order = await findOrderById(stack.pool, orderId);
  check(order !== null, `order ${orderId} is not in the read model`);
  return order;
}

const describe = (o: OrderRecord) => `${o.payStatus}/${o.notifyState} (latePayment ${o.latePayment})`;

function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new Error(message);
}
