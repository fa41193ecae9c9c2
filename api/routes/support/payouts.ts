import { Router } from 'express';
import { loadOrder } from './orders';
import { operatorOf } from './auth';
import { decidePayout, pendingApprovals } from '../../../support/payouts';
import type { SupportEnv } from '../../../support/temporal';
import { AmbiguousQuerySchema, OrderIdParamsSchema, PayoutApprovalBodySchema, parseSupport } from '../../schemas/support';

/** Payout approval: the payouts waiting for one; approve or reject a payout waiting for one (applied by its workflow, audited with the operator). */
export function supportPayoutRoutes(env: SupportEnv): Router {
  const router = Router();
  router.get('/payouts/pending-approval', async (req, res) => {
    const q = parseSupport(AmbiguousQuerySchema, req.query);
    res.json(await pendingApprovals(env, { limit: q.limit, ...(q.mercNo ? { mercNo: q.mercNo } : {}) }));
  });
  router.post('/orders/:orderId/payout-approval', async (req, res) => {
    const { orderId } = parseSupport(OrderIdParamsSchema, req.params);
    const body = parseSupport(PayoutApprovalBodySchema, req.body);
    const { order, payout } = await decidePayout(env, await loadOrder(env.pool, { orderId }), {
      decision: body.decision, reason: body.reason, actor: operatorOf(res),
    });
    res.json({ orderId, payStatus: order.payStatus, approval: payout.approval, actor: payout.approvalActor, reason: payout.approvalReason });
  });
  return router;
}
