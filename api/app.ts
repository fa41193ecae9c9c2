import express, { type Express } from 'express';
import type { ApiContext, ApiDeps } from './context';
import { errorMiddleware } from './error-middleware';
import { strictJsonBody } from './json-body';
import { payRoutes } from './routes/pay';
import { queryRoutes } from './routes/query';
import { closeRoutes } from './routes/close';
import { refundRoutes } from './routes/refund';
import { channelNotifyRoutes } from './routes/channel-notify';
import { qrRoutes } from './routes/qr';
import { merchantOpsRoutes } from './routes/ops';
import { docsRoutes } from './routes/docs';
import { methodNotAllowed, plainMethodNotAllowed } from './method-not-allowed';
import type { ApiMetrics } from '../observability/api-metrics';
import { createChannels } from '../channels/registry';
import { CHANNEL_NAMES } from '../domain/channels';
import { deliverChannelReportById } from '../orders/channel-reports';

/**
 * The merchant-facing HTTP listener (API_PORT): merchant interfaces under /api, channel callbacks, the sandbox
 * channel's payer pages under /sandbox, QR images, /healthz and a /readyz that says only ready or not, and the
 * merchant API's document. Nothing internal: the support API, metrics and detailed readiness are on the admin
 * listener (api/admin-app.ts) and answer 404 here. `metrics` is shared with the admin listener, which serves it.
 */
export function createApp(ctx: ApiContext, metrics: ApiMetrics = ctx.metrics): Express {
  const channels = createChannels({ pool: ctx.pool, config: ctx.config, log: ctx.log, now: ctx.now });
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // A known path with a method it does not have: 405 with Allow (before any body is read).
  app.use(methodNotAllowed(app, (req, res, allow) => (req.path.startsWith('/api/')
    ? void res.json({ respCode: '100001', respDesc: `参数错误: method ${req.method} is not allowed (Allow: ${allow})` })
    : plainMethodNotAllowed(req, res, allow))));
  app.use('/api/pay', metrics.payAnswerTimer); // unified-order answer latency (workflow start)
  // Merchant requests: strict JSON (see json-body.ts); bodies over 64 KiB are refused.
  app.use('/api', strictJsonBody());

  app.use(merchantOpsRoutes(ctx)); // /healthz, /readyz (ready or not, no details)
  app.use(docsRoutes('merchant', { sandbox: ctx.config.channels.sandboxEnabled })); // /openapi.json, /docs of the merchant API (and the sandbox where it runs)
  app.use(payRoutes(ctx));
  app.use(queryRoutes(ctx));
  app.use(closeRoutes(ctx));
  app.use(refundRoutes(ctx));
  // Channels' payer pages (the sandbox's cashier, only where the sandbox is enabled: off in production).
  const deliver = async (orderId: string, report: Parameters<typeof deliverChannelReportById>[2]) => deliverChannelReportById(ctx, orderId, report);
  for (const name of CHANNEL_NAMES) {
    const routes = channels.built[name].payerRoutes;
    if (routes) app.use(routes({ deliver }));
  }
  app.use(channelNotifyRoutes(ctx, channels)); // POST /channels/:name/notify: raw body, the channel's own replies
  app.use(qrRoutes(ctx));
  app.use('/api', (_req, res) => void res.status(404).json({ respCode: '100001', respDesc: '参数错误: no such interface' }));
  app.use((_req, res) => void res.status(404).type('text/plain').send('not found'));
  app.use(errorMiddleware(ctx.log));
  return app;
}
