import { Router } from 'express';
import type { ApiContext } from '../context';
import { authenticateMerchantRequest } from '../merchant-auth';
import { sendAnswer } from '../respond';
import { findMerchantOrder } from '../merchant-order';
import { ApiError } from '../../domain/errors';
import { STATUS_NAMES } from '../../domain/order-transitions';
import { closeOrder } from '../../orders/close-order';

/**
 * Close (interfaceCode `close`): cancels an unpaid order once the channel confirms (p0005). A paid order cannot be
 * closed; closing a cancelled order again succeeds again.
 */
export function closeRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/api/close', async (req, res) => {
    const auth = await authenticateMerchantRequest(ctx, req, res);
    const order = await findMerchantOrder(ctx, auth);

    const outcome = await closeOrder({ temporal: ctx.temporal, pool: ctx.pool, answerTimeoutMs: ctx.config.api.closeAnswerTimeoutMs }, order);
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
