import express, { type Express } from 'express';
import type { ApiContext } from './context';
import { errorMiddleware } from './error-middleware';
import { adminOpsRoutes } from './routes/ops';
import { docsRoutes } from './routes/docs';
import { methodNotAllowed, plainMethodNotAllowed } from './method-not-allowed';
import { supportRoutes } from './routes/support';
import { consoleRoutes } from './routes/console';
import { adminRoutes } from './routes/admin';
import type { ApiMetrics } from '../observability/api-metrics';

/**
 * The admin HTTP listener (ADMIN_HOST:ADMIN_PORT, loopback by default): the support API (/support/v1), the admin
 * API (/admin/v1: merchants, keys, routes, channel accounts, limits), the support console (/console), /metrics,
 * /healthz, /readyz naming every check and why it failed, and the document of these internal operations. It belongs
 * on the internal side of the network only; none of its routes exist on the merchant listener (api/app.ts).
 */
export function createAdminApp(ctx: ApiContext, metrics: ApiMetrics): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // A known path with a method it does not have: 405 with Allow. Support and admin paths check credentials first
  // (support/index.ts, admin/index.ts).
  const notAllowed = methodNotAllowed(app, plainMethodNotAllowed);
  app.use((req, res, next) => (/^\/(support|admin)(\/|$)/.test(req.path) ? next() : notAllowed(req, res, next)));
  app.use(adminOpsRoutes(ctx, metrics)); // /healthz, /readyz with details, /metrics
  app.use(docsRoutes('admin')); // /openapi.json, /docs of the internal operations
  app.use(supportRoutes(ctx)); // /support/v1: operator bearer token, plain JSON answers
  app.use(adminRoutes(ctx)); // /admin/v1: merchant administration, admin operator bearer token, audited
  app.use(consoleRoutes(ctx)); // /console: the support console, server-rendered pages (operator sign-in)
  app.use((_req, res) => void res.status(404).json({ error: { code: 'not_found', message: 'no such route on the admin listener' } }));
  app.use(errorMiddleware(ctx.log));
  return app;
}
