import { randomBytes } from 'node:crypto';
import type { ApiContext } from '../api/context';
import { leaveQueueOnRepeat } from '../support/queue-exit-on-repeat';
import type { AuthenticatedRequest } from '../api/merchant-auth';
import { assertRoomForNewOrder } from '../api/open-order-cap';
import { routeChannels } from '../channels/registry';
import { findOrderByMercOrderNo, insertOrder, recordEvent, savePayAnswer, type OrderRecord } from '../db/orders';
import { findPayout, insertPayout, payoutSettingsOf, reservePayoutLimit } from '../db/payouts';
import { withDeadline } from '../api/deadline';
import { startPayoutWorkflow } from './start-payout';
import { inTransaction } from '../db/pool';
import type { ChannelName } from '../domain/channels';
import { ApiError } from '../domain/errors';
import { formatFenAsYuan } from '../domain/money';
import { orderWorkflowId, type OrderDraft, type PayAnswer } from '../domain/order';
import { newOrderId } from '../domain/order-id';
import { PayStatus } from '../domain/pay-status';
import { PAYOUT_CHANNELS } from '../domain/payout';

/**
 * A payout (unified order with tradeType 02/03). Accepted in one transaction: the order row (p0001), the payout's
 * payee row, and its amount added to the merchant's payout total of today, guarded by the daily limit (100012 when it
 * does not fit; concurrent payouts cannot exceed it together). Then its workflow (workflows/payout.ts) is started on
 * the order's workflow id, so query, notifications and support treat it as any order. The answer (its orderId) is
 * stored with the order: the same request again gets it again; other parameters under the mercOrderNo get 100004.
 * If this process dies or Temporal is unreachable between the two, the workers' start recovery starts it
 * (payouts/start-recovery.ts).
 */
export async function placePayout(ctx: ApiContext, auth: AuthenticatedRequest, draft: OrderDraft, hash: string): Promise<PayAnswer | { kind: 'conflict' }> {
  const { merchant, mode } = auth;
  if (!draft.payee) throw new Error('a payout draft without its payee');
  await assertRoomForNewOrder(ctx, merchant, draft.mercOrderNo);
  const channel = await payoutChannel(ctx, merchant.mercNo, draft, mode);
  const settings = await payoutSettingsOf(ctx.pool, merchant.mercNo);
  const limitFen = settings.dailyLimitFen ?? ctx.config.payouts.defaultDailyLimitFen;

  const orderId = newOrderId(ctx.now(), randomBytes(8).readBigUInt64BE());
  const workflowId = orderWorkflowId(draft.mercNo, draft.mercOrderNo);
  const answer: PayAnswer = {
    kind: 'ok',
    data: {
      mercOrderNo: draft.mercOrderNo, tradeType: draft.tradeType, tradeAmt: formatFenAsYuan(draft.amountFen), tradeTime: draft.tradeTime,
      feeType: draft.feeType, termType: draft.termType, orderId,
    },
  };
  const accepted = await inTransaction(ctx.pool, async (tx) => {
    const row = await insertOrder(tx, { orderId, workflowId, requestHash: hash, channel, draft, firstPollDelayMs: 0, watchUntilMs: null });
    if (!row.inserted) return false;
    // Payouts are settled by their workflow's transfer queries, never by the payment poller.
    await tx.query('UPDATE orders SET next_poll_at = NULL WHERE order_id = $1', [orderId]);
    await savePayAnswer(tx, orderId, answer);
    const reserved = await reservePayoutLimit(tx, merchant.mercNo, draft.amountFen, limitFen);
    if (reserved.day === null) {
      throw new ApiError('100012', `tradeAmt ${formatFenAsYuan(draft.amountFen)} exceeds what is left of today's payout limit: ${formatFenAsYuan(reserved.leftFen)} of ${formatFenAsYuan(limitFen)}`, 'tradeAmt');
    }
    await insertPayout(tx, { orderId, mercNo: merchant.mercNo, payee: draft.payee!, limitDay: reserved.day, approvalRequired: settings.approvalRequired });
    await recordEvent(tx, { orderId, eventKey: 'created', type: 'created', toStatus: PayStatus.SUBMITTED, detail: { channel, tradeType: draft.tradeType } });
    await recordEvent(tx, {
      orderId, eventKey: 'payout-accepted', type: 'payout_accepted',
      detail: { day: reserved.day, amountFen: draft.amountFen, limitFen, payeeAccountType: draft.payee!.accountType, approvalRequired: settings.approvalRequired },
    });
    return true;
  });
  const stored = await findOrderByMercOrderNo(ctx.pool, draft.mercNo, draft.mercOrderNo);
  if (!stored) throw new ApiError('999999', 'the payout is being recorded; send the same request again');
  // Not inserted: a concurrent request with the same mercOrderNo recorded its order first (this one is its repeat).
  if (!accepted) return repeatPayout(ctx, stored, hash);
  await startWorkflow(ctx, stored);
  return stored.payAnswer ?? answer;
}

/**
 * A payout request again: the stored answer, after making sure its workflow runs (starting is idempotent). A payout
 * whose start the workers gave up on (the human queue) leaves the queue once its workflow runs.
 */
export async function repeatPayout(ctx: ApiContext, order: OrderRecord, hash: string): Promise<PayAnswer | { kind: 'conflict' }> {
  if (order.requestHash !== hash) return { kind: 'conflict' };
  const payout = await findPayout(ctx.pool, order.orderId);
  const item = { kind: 'payout', orderId: order.orderId } as const;
  if (order.payStatus === PayStatus.SUBMITTED && !payout?.workflowStarted) {
    await leaveQueueOnRepeat(ctx, item, order, await startWorkflow(ctx, order));
  } else if (payout?.startEscalated) {
    // Its start is recorded, or its workflow moved it, yet it is in the queue (escalated before its start was recorded).
    await leaveQueueOnRepeat(ctx, item, order, 'existed');
  }
  if (!order.payAnswer) throw new ApiError('999999', 'the payout is being recorded; send the same request again');
  return order.payAnswer;
}

/** Test payouts: the sandbox. Live payouts: the first channel of the merchant's route for the payway that makes payouts. */
async function payoutChannel(ctx: ApiContext, mercNo: string, draft: OrderDraft, mode: AuthenticatedRequest['mode']): Promise<ChannelName> {
  const routed = await routeChannels(ctx.pool, ctx.config.channels, mercNo, draft, mode);
  const channel = routed.find((c) => (PAYOUT_CHANNELS as readonly string[]).includes(c));
  if (!channel) throw new ApiError('200002', `no channel routed for paywayCode ${draft.paywayCode} makes payouts (${PAYOUT_CHANNELS.filter((c) => c !== 'sandbox').join(', ')} do)`, 'tradeType');
  return channel;
}

const NOT_STARTED = 'the payout is recorded but not yet started; send the same request again';

/**
 * Starts the payout's workflow (payouts/start-payout.ts), waiting at most PAY_ANSWER_TIMEOUT. Temporal unreachable or
 * slow → 999999: the payout is accepted, a repeat starts it, and so do the workers' recovery (payouts/start-recovery.ts).
 */
async function startWorkflow(ctx: ApiContext, order: OrderRecord): Promise<'started' | 'existed'> {
  try {
    return await withDeadline(startPayoutWorkflow(ctx, order), ctx.config.api.payAnswerTimeoutMs, NOT_STARTED);
  } catch (err) {
    ctx.log.warn({ workflowId: order.workflowId, err: (err as Error).message }, 'payout workflow not started');
    throw err instanceof ApiError ? err : new ApiError('999999', NOT_STARTED);
  }
}
