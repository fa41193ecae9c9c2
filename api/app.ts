import express, { type Express } from 'express';
import type { ApiContext, ApiDeps } from './context';
import { errorMiddleware } from './error-middleware';
import { strictJsonBody } from './json-body';
import { payRoutes } from './routes/pay';
import { queryRoutes } from './routes/query';
import { closeRoutes } from './routes/close';
import { sandboxRoutes } from './routes/sandbox';
import { ipaynowNotifyRoutes } from './routes/ipaynow-notify';
import { qrRoutes } from './routes/qr';
import { apiOpsRoutes } from './routes/ops';
import { docsRoutes } from './routes/docs';
import { createApiMetrics } from '../observability/api-metrics';
import { supportRoutes } from './routes/support';
import { createRateLimits } from './rate-limits';

/** The HTTP API: merchant interfaces under /api, the sandbox channel's payer pages under /sandbox, health. */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const metrics = createApiMetrics();
  const ctx: ApiContext = { ...deps, metrics, limits: createRateLimits({ ...deps, metrics }) };
  app.use('/api/pay', metrics.payAnswerTimer); // unified-order answer latency (workflow start)
  // Merchant requests: strict JSON (see json-body.ts); bodies over 64 KiB are refused.
  app.use('/api', strictJsonBody());
  if (ctx.config.channels.sandboxEnabled) {
    app.use('/sandbox', express.json({ limit: '16kb' }), express.urlencoded({ extended: false, limit: '16kb' }));
  }

  app.use(apiOpsRoutes(ctx)); // /healthz, /readyz, /metrics
  app.use(docsRoutes()); // /openapi.json, /docs
  app.use(payRoutes(ctx));
  app.use(queryRoutes(ctx));
  app.use(closeRoutes(ctx));
  if (ctx.config.channels.sandboxEnabled) app.use(sandboxRoutes(ctx)); // test mode's payer pages: off in production
  app.use(ipaynowNotifyRoutes(ctx)); // IPayNow N001: raw body, answers success=Y/N
  app.use(qrRoutes(ctx));
  app.use(supportRoutes(ctx)); // /support/v1: admin bearer token, plain JSON answers
  app.use('/api', (_req, res) => void res.status(404).json({ respCode: '100001', respDesc: '参数错误: no such interface' }));
  app.use(errorMiddleware(ctx.log));
  return app;
}
