import express, { Router } from 'express';
import type { ApiContext } from '../../context';
import { operatorAuth } from '../support/auth';
import { ADMIN_BODY_LIMIT_KIB } from '../support/errors';
import { adminMerchantRoutes } from './merchants';
import { SupportError } from '../../../domain/errors';
import { methodNotAllowed } from '../../method-not-allowed';

/**
 * The admin API under /admin/v1 (admin listener only): an admin operator's bearer token first (ADMIN_OPERATORS;
 * support-only operators get 403, before any body is read), then JSON bodies of at most 64 KiB. Answers and errors
 * are plain JSON as in the support API. Every change is one use case of merchants/, audited with the operator.
 */
export function adminRoutes(ctx: ApiContext): Router {
  const v1 = Router();
  v1.use(adminMerchantRoutes({ pool: ctx.pool, keyring: ctx.config.secrets.keyring }, ctx.now));

  const router = Router();
  router.use('/admin', operatorAuth({ support: ctx.config.support.operators, admin: ctx.config.admin.operators }, 'admin'),
    express.json({ limit: `${ADMIN_BODY_LIMIT_KIB}kb` }));
  router.use('/admin/v1', v1);
  router.use('/admin', methodNotAllowed(v1, (req, res, allow) => void res.json({
    error: { code: 'invalid_request', message: `method ${req.method} is not allowed on this route (Allow: ${allow})` },
  }), '/admin/v1'));
  router.use('/admin', (_req, _res, next) => next(new SupportError('not_found', 'no such admin route')));
  return router;
}
