import { Router } from 'express';
import { operatorOf } from './auth';
import { notifyEndpoints, resumeEndpoint } from '../../../support/endpoint-health';
import type { SupportEnv } from '../../../support/temporal';
import { EndpointResumeBodySchema, EndpointsQuerySchema, parseSupport } from '../../schemas/support';

/**
 * Endpoint health: list merchant notify endpoints (paused ones by default); resume a paused one (audited with the
 * operator; its held notifications are released and those exhausted during the outage replayed once).
 */
export function supportEndpointRoutes(env: SupportEnv): Router {
  const router = Router();
  router.get('/notify-endpoints', async (req, res) => {
    const q = parseSupport(EndpointsQuerySchema, req.query);
    res.json(await notifyEndpoints(env, { limit: q.limit, pausedOnly: q.state === 'paused', ...(q.mercNo ? { mercNo: q.mercNo } : {}) }));
  });
  router.post('/notify-endpoints/resume', async (req, res) => {
    const body = parseSupport(EndpointResumeBodySchema, req.body);
    const actor = operatorOf(res);
    const outcome = await resumeEndpoint(env, body, actor);
    res.json({ ...outcome, actor });
  });
  return router;
}
