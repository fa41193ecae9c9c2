import { Router } from 'express';
import { loadOrder } from './orders';
import { operatorOf } from './auth';
import { controlNotification, replayNotification } from '../../../support/notification-control';
import type { SupportEnv } from '../../../support/temporal';
import { NotificationActionBodySchema, OrderIdParamsSchema, RedirectBodySchema, parseSupport } from '../../schemas/support';

/**
 * One order's notification: replay (any order with a notification), pause / resume / redirect (open workflows only).
 * All answer 202: the workflow acts on the request asynchronously (the timeline shows the attempts). Each is audited
 * with the operator as its actor, which the answer echoes.
 */
export function supportNotificationRoutes(env: SupportEnv): Router {
  const router = Router();
  const base = '/orders/:orderId/notification';

  router.post(`${base}/replay`, async (req, res) => {
    const { orderId } = parseSupport(OrderIdParamsSchema, req.params);
    parseSupport(NotificationActionBodySchema, req.body);
    const actor = operatorOf(res);
    const outcome = await replayNotification(env, await loadOrder(env.pool, { orderId }), { actor });
    const message = outcome.path === 'signal'
      ? `the order's workflow ${outcome.workflowId} was asked to attempt delivery now`
      : outcome.alreadyRunning
        ? `replay ${outcome.workflowId} (attempt ${outcome.attempt}) is already running`
        : `replay workflow ${outcome.workflowId} sends attempt ${outcome.attempt} to ${outcome.url}`;
    res.status(202).json({ orderId, action: 'replay', ...outcome, actor, message });
  });

  for (const action of ['pause', 'resume'] as const) {
    router.post(`${base}/${action}`, async (req, res) => {
      const { orderId } = parseSupport(OrderIdParamsSchema, req.params);
      parseSupport(NotificationActionBodySchema, req.body);
      const actor = operatorOf(res);
      const { workflowId } = await controlNotification(env, await loadOrder(env.pool, { orderId }), { action }, { actor });
      res.status(202).json({ orderId, action, workflowId, actor, message: `${action} sent to workflow ${workflowId}` });
    });
  }

  router.post(`${base}/redirect`, async (req, res) => {
    const { orderId } = parseSupport(OrderIdParamsSchema, req.params);
    const { url } = parseSupport(RedirectBodySchema, req.body);
    const actor = operatorOf(res);
    const { workflowId } = await controlNotification(env, await loadOrder(env.pool, { orderId }), { action: 'redirect', url }, { actor });
    res.status(202).json({ orderId, action: 'redirect', url, workflowId, actor, message: `later attempts of workflow ${workflowId} go to ${url}` });
  });
  return router;
}
