import express, { Router } from 'express';
import type { ApiContext } from '../../context';
import { operatorAuth } from './auth';
import { supportBulkRoutes } from './bulk';
import { supportNotificationRoutes } from './notification';
import { supportOrderRoutes } from './orders';
import { supportReviewRoutes } from './reviews';
import { supportRefundRoutes } from './refunds';
import { supportPayoutRoutes } from './payouts';
import { supportEndpointRoutes } from './endpoints';
import { supportReconRoutes } from './recon';
import { supportStartRetryRoutes } from './start-retries';
import { SupportError } from '../../../domain/errors';
import { methodNotAllowed } from '../../method-not-allowed';
import type { SupportEnv } from '../../../support/temporal';

/**
 * The support API under /support/v1 (admin listener only): an operator's bearer token first (before any body is
 * read), then JSON bodies of at most 16 KiB. Answers are plain JSON; errors are `{error: {code, message}}`
 * (api/routes/support/errors.ts). Every action is audited with the authenticated operator as its actor.
 */
export function supportRoutes(ctx: ApiContext): Router {
  const env: SupportEnv = { pool: ctx.pool, temporal: ctx.temporal, taskQueue: ctx.config.temporal.taskQueue };
  const v1 = Router();
  v1.use(supportOrderRoutes(env));
  v1.use(supportNotificationRoutes(env));
  v1.use(supportBulkRoutes(env, {
    maxConcurrentJobs: ctx.config.limits.maxConcurrentBulkJobs,
    onRefused: () => ctx.metrics.rateLimited('bulk_jobs'),
  }));
  v1.use(supportReviewRoutes(env));
  v1.use(supportRefundRoutes(env));
  v1.use(supportPayoutRoutes(env));
  v1.use(supportEndpointRoutes(env));
  v1.use(supportReconRoutes(env, ctx.config));
  v1.use(supportStartRetryRoutes({ ...env, config: ctx.config }));

  const router = Router();
  router.use('/support', operatorAuth({ support: ctx.config.support.operators, admin: ctx.config.admin.operators }), express.json({ limit: '16kb' }));
  router.use('/support/v1', v1);
  router.use('/support', methodNotAllowed(v1, (req, res, allow) => void res.json({
    error: { code: 'invalid_request', message: `method ${req.method} is not allowed on this route (Allow: ${allow})` },
  }), '/support/v1'));
  router.use('/support', (_req, _res, next) => next(new SupportError('not_found', 'no such support route')));
  return router;
}
