import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { ApiContext } from '../context';
import { authenticateMerchantRequest, type AuthenticatedRequest } from '../merchant-auth';
import { sendAnswer } from '../respond';
import { requestHash } from '../request-hash';
import { withDeadline } from '../deadline';
import { assertRoomForNewOrder } from '../open-order-cap';
import { parseUnifiedOrder } from '../schemas/unified-order';
import { routeChannels } from '../../channels/registry';
import { findOrderByMercOrderNo, type OrderRecord } from '../../db/orders';
import { ApiError } from '../../domain/errors';
import { orderWorkflowId, type PayAnswer } from '../../domain/order';
import { newOrderId } from '../../domain/order-id';
import { isPayoutTradeType } from '../../domain/payout';
import { placePayout, repeatPayout } from '../../payouts/place-payout';
import { PayStatus } from '../../domain/pay-status';
import { createOrderUpdate, type CreateOrderAnswer, type OrderWorkflowInput } from '../../workflows/definitions';
import { SA } from '../../workflows/search-attributes';
import { sendUpdate } from '../../temporal/updates';
import type { orderWorkflow } from '../../workflows/order';

/**
 * Unified order (interfaceCode `pay`). The order's workflow is started and asked for the pay credential in one call
 * (update-with-start on a workflow id derived from mercNo + mercOrderNo), so concurrent repeats meet the same
 * workflow. Repeats after the workflow has closed are answered from the read model.
 */
/** What a stored mercOrderNo can be (the schema's rule); anything else cannot be a repeat. */
const MERC_ORDER_NO = /^[\x21-\x7e]{1,32}$/;
/** How often the create is sent when the engine drops it (temporal/updates.ts) before the merchant is told 999999. */
const CREATE_UPDATE_ATTEMPTS = 3;

export function payRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.post('/api/pay', async (req, res) => {
    const auth = await authenticateMerchantRequest(ctx, req, res);
    const { merchant, signType, fields, mode } = auth;
    const hash = requestHash(fields, mode);

    // A repeat is answered as the first time was, before validation: a repeat sent after the order's tradeTime +
    // orderPeriod has passed must get its original answer, not "already expired".
    const existing = typeof fields.mercOrderNo === 'string' && MERC_ORDER_NO.test(fields.mercOrderNo)
      ? await findOrderByMercOrderNo(ctx.pool, merchant.mercNo, fields.mercOrderNo)
      : null;
    if (existing && existing.requestHash !== hash) return answer({ kind: 'conflict' });
    // A payout's answer is stored when it is accepted; its repeat also makes sure its workflow runs.
    if (existing && isPayoutTradeType(existing.tradeType)) return answer(await repeatPayout(ctx, existing, hash));
    if (existing?.payAnswer) return answer(existing.payAnswer);
    const draft = { ...parseUnifiedOrder(fields, signType, ctx.now()), livemode: mode === 'live' };
    // Payouts (tradeType 02/03): their own use case (payouts/place-payout.ts).
    if (isPayoutTradeType(draft.tradeType)) return answer(await placePayout(ctx, auth, draft, hash));
    if (!existing) await assertRoomForNewOrder(ctx, merchant, draft.mercOrderNo);

    const [channel, ...fallbackChannels] = await routeChannels(ctx.pool, ctx.config.channels, merchant.mercNo, draft, mode);
    const workflowId = orderWorkflowId(draft.mercNo, draft.mercOrderNo);
    // Assigned here, once: a workflow that starts is the only one that uses it (a repeat meets the existing one).
    // An order already in the read model keeps its id: if its workflow is gone (a Temporal server that lost its last
    // writes when it was killed), the one started now opens the same order instead of failing on another id.
    const orderId = existing?.orderId ?? newOrderId(ctx.now(), randomBytes(8).readBigUInt64BE());
    const input: OrderWorkflowInput = {
      orderId,
      draft,
      requestHash: hash,
      channel,
      ...(fallbackChannels.length > 0 ? { fallbackChannels } : {}),
      timing: {
        notifyRetryScheduleMs: merchant.notifyScheduleMs ?? ctx.config.notify.retryScheduleMs,
        unknownRetryScheduleMs: ctx.config.settlement.unknownRetryScheduleMs,
        escalateAfterMs: ctx.config.settlement.escalateAfterMs,
      },
      notifyStatuses: merchant.notifyStatuses,
    };
    // An operation is used once: an update the engine dropped is sent again with a new one.
    const startWorkflowOperation = () => new WithStartWorkflowOperation<typeof orderWorkflow>('orderWorkflow', {
      workflowId,
      taskQueue: ctx.config.temporal.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [input],
      typedSearchAttributes: [
        { key: SA.mercNo, value: draft.mercNo },
        { key: SA.mercOrderNo, value: draft.mercOrderNo },
        { key: SA.paywayCode, value: draft.paywayCode },
        { key: SA.channel, value: channel },
        { key: SA.orderId, value: orderId },
        { key: SA.payStatus, value: PayStatus.SUBMITTED },
      ],
    });

    let result: CreateOrderAnswer;
    try {
      const sent = sendUpdate(
        () => ctx.temporal.workflow.executeUpdateWithStart(createOrderUpdate, { args: [{ requestHash: hash }], startWorkflowOperation: startWorkflowOperation() }),
        { attempts: CREATE_UPDATE_ATTEMPTS, exhausted: () => new ApiError('999999', 'the order is being created; send the same request again') },
      );
      result = await withDeadline(
        sent,
        ctx.config.api.payAnswerTimeoutMs,
        'the order is being created; send the same request again',
      );
    } catch (err) {
      // A closed workflow refuses the start: the order exists, so answer from the read model.
      const stored = await findOrderByMercOrderNo(ctx.pool, draft.mercNo, draft.mercOrderNo);
      if (stored?.payAnswer) return answer(stored.requestHash === hash ? stored.payAnswer : { kind: 'conflict' });
      if (err instanceof ApiError) throw err;
      ctx.log.warn({ workflowId, err: (err as Error).message }, 'unified order not answered');
      throw new ApiError('999999', 'the order is being created; send the same request again');
    }
    return answer(result);

    function answer(a: CreateOrderAnswer | OrderRecord['payAnswer']) {
      respondPay(res, auth, a as CreateOrderAnswer, ctx.now());
    }
  });

  return router;
}

function respondPay(res: Parameters<typeof sendAnswer>[0], auth: AuthenticatedRequest, a: CreateOrderAnswer, nowMs: number): void {
  if (a.kind === 'conflict') {
    throw new ApiError('100004', 'mercOrderNo was already used for an order with different parameters (or in the other mode)', 'mercOrderNo');
  }
  if (a.kind === 'error') {
    sendAnswer(res, { interfaceCode: 'pay', respCode: a.respCode, respDesc: a.respDesc, auth, data: { orderId: a.orderId } }, nowMs);
    return;
  }
  sendAnswer(res, { interfaceCode: 'pay', respCode: '000000', auth, data: { ...(a as Extract<PayAnswer, { kind: 'ok' }>).data } }, nowMs);
}
