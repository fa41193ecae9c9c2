import { Router } from 'express';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ApiContext } from '../context';
import { authenticateMerchantRequest } from '../merchant-auth';
import { sendAnswer } from '../respond';
import { withDeadline } from '../deadline';
import { findMerchantOrder } from '../merchant-order';
import { ApiError } from '../../domain/errors';
import { PayStatus } from '../../domain/pay-status';
import { STATUS_NAMES } from '../../domain/order-transitions';
import { closeOrderUpdate, type CloseAnswer } from '../../workflows/definitions';

/**
 * Close (interfaceCode `close`): cancels an unpaid order once the channel confirms (p0005). A paid order cannot be
 * closed; closing a cancelled order again succeeds again.
 */
export function closeRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/api/close', async (req, res) => {
    const auth = await authenticateMerchantRequest(ctx, req, res);
    const order = await findMerchantOrder(ctx, auth);

    let outcome: CloseAnswer;
    try {
      outcome = await withDeadline(
        ctx.temporal.workflow.getHandle(order.workflowId).executeUpdate(closeOrderUpdate),
        ctx.config.api.closeAnswerTimeoutMs,
        'the close is in progress; send the same request again',
      );
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // The order's workflow has finished: its final state is in the read model.
      outcome = order.payStatus === PayStatus.CANCELLED
        ? { kind: 'closed', payStatus: order.payStatus }
        : { kind: 'not-allowed', payStatus: order.payStatus };
    }
    if (outcome.kind === 'not-allowed') {
      throw new ApiError('100006', `the order is ${outcome.payStatus} (${STATUS_NAMES[outcome.payStatus]}) and cannot be closed`);
    }
    if (outcome.kind === 'unknown') throw new ApiError('200001', `the channel did not confirm the close (${outcome.reason}); try again`);
    sendAnswer(res, {
      interfaceCode: 'close', respCode: '000000', auth,
      data: { mercOrderNo: order.mercOrderNo, orderId: order.orderId, payStatus: outcome.payStatus },
    }, ctx.now());
  });
  return router;
}
