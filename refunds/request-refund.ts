import { randomBytes } from 'node:crypto';
import type { ApiContext } from '../api/context';
import { leaveQueueOnRepeat } from '../support/queue-exit-on-repeat';
import type { AuthenticatedRequest } from '../api/merchant-auth';
import { findMerchantOrder } from '../api/merchant-order';
import { requestHash } from '../api/request-hash';
import { parseRefundRequest } from '../api/schemas/refund';
import { findOrderById, type OrderRecord } from '../db/orders';
import { inTransaction } from '../db/pool';
import { findRefundById, findRefundByMercRefundNo, holdRefundable, insertRefund, type RefundRecord } from '../db/refunds';
import { ApiError } from '../domain/errors';
import { formatFenAsYuan } from '../domain/money';
import { STATUS_NAMES } from '../domain/order-transitions';
import { newOrderId } from '../domain/order-id';
import { PayStatus } from '../domain/pay-status';
import { RefundStatus, refundWorkflowId } from '../domain/refund-status';
import { parseCompactTime } from '../domain/time';
import { startRefundWorkflow } from './start-refund';
import { withDeadline } from '../api/deadline';

/** What a stored mercRefundNo can be (the schema's rule); anything else cannot be a repeat. */
const MERC_REFUND_NO = /^[\x21-\x7e]{1,32}$/;
const DAY_MS = 86_400_000;

/**
 * A merchant's refund request (POST /api/refund). The same request again (same mercNo + mercRefundNo, same
 * parameters) is the same refund for its whole life; other parameters under that number are 100004. A new refund is
 * accepted only for a paid order (p0000), within the merchant's refund window, and only while the order's refundable
 * balance covers it: its amount is held on the order's row (db/refunds.ts holdRefundable) in the same transaction
 * that records the refund, so concurrent refunds never exceed the amount paid. Then its workflow is started; if this
 * process dies or Temporal is unreachable in between, the workers' start recovery starts it (refunds/start-recovery.ts).
 */
export async function requestRefund(ctx: ApiContext, auth: AuthenticatedRequest): Promise<RefundRecord> {
  const { merchant, fields, mode } = auth;
  const hash = requestHash(fields, mode);
  const mercRefundNo = fields.mercRefundNo;
  const existing = typeof mercRefundNo === 'string' && MERC_REFUND_NO.test(mercRefundNo)
    ? await findRefundByMercRefundNo(ctx.pool, merchant.mercNo, mercRefundNo)
    : null;
  const schedule = merchant.notifyScheduleMs ?? ctx.config.notify.retryScheduleMs;
  if (existing) return repeat(ctx, existing, hash, schedule);

  const req = parseRefundRequest(fields);
  const order = await findMerchantOrder(ctx, auth, req.order);
  if (order.payStatus !== PayStatus.PAID) {
    throw new ApiError('100006', `the order is ${order.payStatus} (${STATUS_NAMES[order.payStatus]}); only paid orders (p0000) are refunded`);
  }
  const paidAtMs = (order.tradeEndTime ? parseCompactTime(order.tradeEndTime) : null) ?? order.updatedAtMs;
  const windowDays = merchant.refundWindowDays ?? ctx.config.refunds.windowDays;
  if (ctx.now() > paidAtMs + windowDays * DAY_MS) {
    throw new ApiError('100011', `the order was paid at ${order.tradeEndTime ?? 'an earlier time'}; refunds are accepted for ${windowDays} days after payment`);
  }

  const refundId = newOrderId(ctx.now(), randomBytes(8).readBigUInt64BE());
  const workflowId = refundWorkflowId(merchant.mercNo, req.mercRefundNo);
  const outcome = await inTransaction(ctx.pool, async (tx) => {
    const inserted = await insertRefund(tx, {
      refundId, mercNo: merchant.mercNo, mercRefundNo: req.mercRefundNo, orderId: order.orderId, workflowId, requestHash: hash,
      livemode: mode === 'live', channel: order.channel, amountFen: req.amountFen, reason: req.reason ?? null,
      notifyUrl: req.notifyUrl ?? order.notifyUrl, signType: order.signType,
    });
    if (!inserted) return 'taken' as const;
    const held = await holdRefundable(tx, order.orderId, req.amountFen);
    if (!held) {
      const ledger = await tx.query<{ left: string }>(
        'SELECT trade_amt_fen - refund_held_fen - refunded_fen AS left FROM orders WHERE order_id = $1', [order.orderId]);
      throw new ApiError('100010', `refundAmt ${formatFenAsYuan(req.amountFen)} exceeds the refundable ${formatFenAsYuan(Number(ledger.rows[0]?.left ?? 0))} (refunds in progress included)`, 'refundAmt');
    }
    return 'held' as const;
  });
  if (outcome === 'taken') {
    // A concurrent request with the same mercRefundNo recorded its refund first: this one is its repeat (or a conflict).
    const winner = await findRefundByMercRefundNo(ctx.pool, merchant.mercNo, req.mercRefundNo);
    if (!winner) throw new ApiError('999999', 'the refund is being recorded; send the same request again');
    return repeat(ctx, winner, hash, schedule);
  }
  const stored = await findRefundByMercRefundNo(ctx.pool, merchant.mercNo, req.mercRefundNo);
  await startWorkflow(ctx, stored!, order, schedule);
  return stored!;
}

async function repeat(ctx: ApiContext, refund: RefundRecord, hash: string, schedule: number[]): Promise<RefundRecord> {
  if (refund.requestHash !== hash) {
    throw new ApiError('100004', 'mercRefundNo was already used for a refund with different parameters (or in the other mode)', 'mercRefundNo');
  }
  const item = { kind: 'refund', refundId: refund.refundId } as const;
  // Recorded but maybe never started (Temporal unreachable at the first request): starting is idempotent.
  if (refund.refundStatus === RefundStatus.SUBMITTED) {
    const order = await findOrderById(ctx.pool, refund.orderId);
    const start = await startWorkflow(ctx, refund, order!, schedule);
    // Started now, or a closed run that moved the refund: if the workers had given up on its start (the human queue),
    // it is taken out. A closed run that left it r0001 stays there (no start fixes that).
    if (start === 'started' || (await findRefundById(ctx.pool, refund.refundId))?.refundStatus !== RefundStatus.SUBMITTED) {
      await leaveQueueOnRepeat(ctx, item, refund, start);
    }
  } else if (refund.startEscalated) {
    // Its workflow has moved it, yet its start is in the queue (escalated before its start was recorded).
    await leaveQueueOnRepeat(ctx, item, refund, 'existed');
  }
  return refund;
}

const NOT_STARTED = 'the refund is recorded but not yet started; send the same request again';

/**
 * Starts the refund's workflow (refunds/start-refund.ts), waiting at most REFUND_ANSWER_TIMEOUT. Temporal unreachable
 * or slow → 999999: the refund is recorded, a repeat starts it, and so do the workers' recovery (refunds/start-recovery.ts).
 */
async function startWorkflow(ctx: ApiContext, refund: RefundRecord, order: OrderRecord, notifyRetryScheduleMs: number[]): Promise<'started' | 'existed'> {
  try {
    return await withDeadline(startRefundWorkflow(ctx, refund, order, notifyRetryScheduleMs), ctx.config.api.refundAnswerTimeoutMs, NOT_STARTED);
  } catch (err) {
    ctx.log.warn({ workflowId: refund.workflowId, err: (err as Error).message }, 'refund workflow not started');
    throw err instanceof ApiError ? err : new ApiError('999999', NOT_STARTED);
  }
}
