import { Router } from 'express';
import type { ApiContext } from '../context';
import type { ApiMetrics } from '../../observability/api-metrics';
import { reportedCircuits } from '../../channels/circuits';
import { databaseCheck, livenessRoutes, opsRoutes, readinessRoutes, temporalCheck, type ReadinessCheck } from '../../observability/health';

/** What the API process needs to serve: PostgreSQL and the Temporal frontend. */
const apiReadinessChecks = (ctx: ApiContext): Record<string, ReadinessCheck> => ({
  database: databaseCheck(ctx.pool),
  temporal: temporalCheck(ctx.temporal),
});

/** Merchant listener: GET /healthz and GET /readyz saying only ready or unavailable (no check names, no errors). */
export function merchantOpsRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.use(livenessRoutes());
  r.use(readinessRoutes({ checks: apiReadinessChecks(ctx), detailed: false }));
  return r;
}

/**
 * Admin listener: GET /healthz, GET /readyz naming every check and why it failed (with the channel circuits the
 * workers last reported), GET /metrics.
 */
export function adminOpsRoutes(ctx: ApiContext, metrics: ApiMetrics): Router {
  return opsRoutes({ checks: apiReadinessChecks(ctx), registry: metrics.registry, circuits: () => reportedCircuits(ctx.pool) });
}
