import { Router } from 'express';
import { operatorOf } from './auth';
import { controlRefundNotification, loadRefund, replayRefundNotification, resolveRefund } from '../../../support/refunds';
import type { SupportEnv } from '../../../support/temporal';
import { NotificationActionBodySchema, RedirectBodySchema, RefundIdParamsSchema, RefundResolveBodySchema, parseSupport } from '../../schemas/support';

/**
 * One refund: resolve it when it waits in the human queue; replay, pause, resume or redirect its notification. Each
 * goes to the refund's workflow and is audited on the order's trail with the operator as its actor.
 */
export function supportRefundRoutes(env: SupportEnv): Router {
  const router = Router();
  router.post('/refunds/:refundId/resolve', async (req, res) => {
    const { refundId } = parseSupport(RefundIdParamsSchema, req.params);
    const body = parseSupport(RefundResolveBodySchema, req.body);
    const refund = await resolveRefund(env, await loadRefund(env, refundId), { decision: body.decision, reason: body.reason, actor: operatorOf(res) });
    res.json({ refundId, orderId: refund.orderId, refundStatus: refund.refundStatus, failReason: refund.failReason, actor: operatorOf(res) });
  });
  router.post('/refunds/:refundId/notification/replay', async (req, res) => {
    const { refundId } = parseSupport(RefundIdParamsSchema, req.params);
    parseSupport(NotificationActionBodySchema, req.body);
    const outcome = await replayRefundNotification(env, await loadRefund(env, refundId), operatorOf(res));
    res.status(202).json({ refundId, action: 'replay', ...outcome, actor: operatorOf(res) });
  });
  for (const action of ['pause', 'resume'] as const) {
    router.post(`/refunds/:refundId/notification/${action}`, async (req, res) => {
      const { refundId } = parseSupport(RefundIdParamsSchema, req.params);
      parseSupport(NotificationActionBodySchema, req.body);
      const { workflowId } = await controlRefundNotification(env, await loadRefund(env, refundId), { action }, operatorOf(res));
      res.status(202).json({ refundId, action, workflowId, actor: operatorOf(res) });
    });
  }
  router.post('/refunds/:refundId/notification/redirect', async (req, res) => {
    const { refundId } = parseSupport(RefundIdParamsSchema, req.params);
    const { url } = parseSupport(RedirectBodySchema, req.body);
    const { workflowId } = await controlRefundNotification(env, await loadRefund(env, refundId), { action: 'redirect', url }, operatorOf(res));
    res.status(202).json({ refundId, action: 'redirect', url, workflowId, actor: operatorOf(res) });
  });
  return router;
}
