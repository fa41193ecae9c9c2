import type { Router } from 'express';
import type { ApiContext } from '../context';
import { databaseCheck, opsRoutes, temporalCheck } from '../../observability/health';

/** GET /healthz, /readyz (PostgreSQL and the Temporal frontend) and /metrics of the API process. */
export function apiOpsRoutes(ctx: ApiContext): Router {
  return opsRoutes({
    checks: { database: databaseCheck(ctx.pool), temporal: temporalCheck(ctx.temporal) },
    registry: ctx.metrics.registry,
  });
}
