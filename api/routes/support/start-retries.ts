import { Router } from 'express';
import { loadOrder } from './orders';
import { operatorOf } from './auth';
import { loadRefund } from '../../../support/refunds';
import { retryPayoutStart, retryRefundStart, type StartRetryEnv } from '../../../support/start-retry';
import { OrderIdParamsSchema, RefundIdParamsSchema, StartRetryBodySchema, parseSupport } from '../../schemas/support';

/**
 * Retry start: a refund or payout whose workflow the workers' start recovery gave up on (escalated to the human queue,
 * its review's detail has startTries) is started now, once the person has fixed the cause (support/start-retry.ts).
 */
export function supportStartRetryRoutes(env: StartRetryEnv): Router {
  const router = Router();
  router.post('/refunds/:refundId/retry-start', async (req, res) => {
    const { refundId } = parseSupport(RefundIdParamsSchema, req.params);
    const { reason } = parseSupport(StartRetryBodySchema, req.body);
    const refund = await loadRefund(env, refundId);
    const outcome = await retryRefundStart(env, refund, { reason, actor: operatorOf(res) });
    res.json({ refundId, orderId: refund.orderId, ...outcome, reason });
  });
  router.post('/orders/:orderId/retry-start', async (req, res) => {
    const { orderId } = parseSupport(OrderIdParamsSchema, req.params);
    const { reason } = parseSupport(StartRetryBodySchema, req.body);
    const outcome = await retryPayoutStart(env, await loadOrder(env.pool, { orderId }), { reason, actor: operatorOf(res) });
    res.json({ orderId, ...outcome, reason });
  });
  return router;
}
