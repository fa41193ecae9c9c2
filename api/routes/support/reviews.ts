import { Router } from 'express';
import { loadOrder } from './orders';
import { operatorOf } from './auth';
import { ambiguousOrders, resolveOrder } from '../../../support/reviews';
import type { SupportEnv } from '../../../support/temporal';
import { AmbiguousQuerySchema, OrderIdParamsSchema, ResolveBodySchema, parseSupport } from '../../schemas/support';
import type { ReviewDecision } from '../../../domain/order-transitions';

/**
 * The human queue: list the orders waiting for a decision; resolve one (applied by its workflow, audited with the
 * authenticated operator as the actor: who decided is never taken from the body).
 */
export function supportReviewRoutes(env: SupportEnv): Router {
  const router = Router();
  router.get('/ambiguous', async (req, res) => {
    const q = parseSupport(AmbiguousQuerySchema, req.query);
    res.json(await ambiguousOrders(env, { limit: q.limit, ...(q.mercNo ? { mercNo: q.mercNo } : {}) }));
  });
  router.post('/orders/:orderId/resolve', async (req, res) => {
    const { orderId } = parseSupport(OrderIdParamsSchema, req.params);
    const body = parseSupport(ResolveBodySchema, req.body);
    const { order, review } = await resolveOrder(env, await loadOrder(env.pool, { orderId }), {
      decision: body.decision as ReviewDecision, reason: body.reason, actor: operatorOf(res),
    });
    res.json({
      orderId, payStatus: order.payStatus, latePayment: order.latePayment,
      review: { kind: review.kind, decision: review.decision, reason: review.decisionReason, actor: review.actor },
    });
  });
  return router;
}
