import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { ApiContext } from '../../context';
import { consoleSessions, SESSION_COOKIE, SESSION_TTL_MS, type ConsoleSession } from '../../../console/session';
import { CONSOLE, CONSOLE_CSS, type PageContext } from '../../../console/layout';
import { endpointsPage, errorPage, findPage, homePage, loginPage, queuePage, reconciliationPage, reconciliationReportPage } from '../../../console/pages';
import { reconReport, reconReports } from '../../../support/recon';
import { notifyEndpoints, resumeEndpoint } from '../../../support/endpoint-health';
import { orderPage } from '../../../console/order-page';
import { findOrdersByAnyNumber } from '../../../db/order-search';
import { listReviewsOf } from '../../../db/order-reviews';
import { ambiguousOrders, resolveOrder } from '../../../support/reviews';
import { controlNotification, replayNotification } from '../../../support/notification-control';
import { orderTimeline } from '../../../support/timeline';
import type { SupportEnv } from '../../../support/temporal';
import { SupportError } from '../../../domain/errors';
import type { ReviewDecision } from '../../../domain/order-transitions';
import { loadOrder } from '../support/orders';
import {
  EndpointResumeBodySchema, OrderIdParamsSchema, ReconRunParamsSchema, ReconRunsQuerySchema, RefundIdParamsSchema, RefundResolveBodySchema, ResolveBodySchema,
  ReviewIdFieldSchema, StartRetryBodySchema, parseSupport,
} from '../../schemas/support';
import { loadRefund, resolveRefund } from '../../../support/refunds';
import { retryPayoutStart, retryRefundStart } from '../../../support/start-retry';

const NOTICE_COOKIE = 'pd_console_notice';
const ANY_NUMBER = /^[\x21-\x7e]{1,64}$/;

/**
 * The support console (admin listener, /console): server-rendered pages over the same use cases as the support API.
 * Sign-in with an operator token gives a session cookie (HttpOnly, SameSite=Strict, path /console); every action is a
 * POST form that must carry the session's form token and come from this origin, and is audited under the operator.
 * Nothing changes without a valid session; pages carry a CSP without scripts, no framing, no caching.
 */
export function consoleRoutes(ctx: ApiContext): Router {
  const env: SupportEnv = { pool: ctx.pool, temporal: ctx.temporal, taskQueue: ctx.config.temporal.taskQueue };
  const sessions = consoleSessions(ctx.config.support.operators);
  const router = Router();

  router.use(CONSOLE, (_req, res, next) => {
    res.set({
      'Content-Security-Policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin', 'Cache-Control': 'no-store',
    });
    next();
  }, express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }));

  router.get(`${CONSOLE}/console.css`, (_req, res) => void res.type('text/css').set('Cache-Control', 'private, max-age=300').send(CONSOLE_CSS));

  const page = (res: Response, status: number, body: string) => void res.status(status).type('html').send(body);

  router.get(`${CONSOLE}/login`, (req, res) => {
    if (ctx.config.support.operators.length === 0) return page(res, 503, errorPage({ session: null }, 'Console off', 'The console is not configured: set SUPPORT_OPERATORS.'));
    page(res, 200, loginPage({ session: null, ...takeNotice(req, res) }));
  });

  router.post(`${CONSOLE}/login`, (req, res) => {
    if (!sameOrigin(req)) return page(res, 403, errorPage({ session: null }, 'Refused', 'The sign-in form must be sent from this console.'));
    const token = typeof req.body?.token === 'string' ? req.body.token : '';
    const operator = token.length > 0 && token.length <= 256 ? sessions.operatorByToken(token) : null;
    if (!operator) {
      ctx.log.warn({ path: req.path }, 'console: sign-in refused');
      return page(res, 401, loginPage({ session: null, notice: { kind: 'error', text: 'That is not an operator token.' } }));
    }
    const { cookie } = sessions.issue(operator);
    res.cookie(SESSION_COOKIE, cookie, { httpOnly: true, sameSite: 'strict', path: CONSOLE, maxAge: SESSION_TTL_MS, secure: req.secure });
    res.redirect(303, CONSOLE);
  });

  // Everything below needs a session; a POST also needs the form token and this origin.
  router.use(CONSOLE, (req, res, next) => {
    const session = sessions.verify(cookieOf(req, SESSION_COOKIE));
    if (!session) {
      if (req.method === 'GET' || req.method === 'HEAD') return res.redirect(303, `${CONSOLE}/login`);
      return page(res, 401, errorPage({ session: null }, 'Signed out', 'Sign in again: this action was not taken.'));
    }
    if (req.method === 'POST' && (!sameOrigin(req) || !sessions.csrfMatches(session, req.body?.csrf))) {
      ctx.log.warn({ path: req.path, operator: session.operator }, 'console: form refused (origin or form token)');
      return page(res, 403, errorPage({ session }, 'Refused', 'This form did not come from your console session: reload the page and try again.'));
    }
    res.locals.console = session;
    next();
  });
  const sessionOf = (res: Response) => res.locals.console as ConsoleSession;
  const pageCtx = (req: Request, res: Response): PageContext & { session: ConsoleSession } => ({ session: sessionOf(res), ...takeNotice(req, res) });

  router.post(`${CONSOLE}/logout`, (_req, res) => {
    res.clearCookie(SESSION_COOKIE, { path: CONSOLE });
    res.redirect(303, `${CONSOLE}/login`);
  });

  router.get(CONSOLE, async (req, res) => {
    page(res, 200, homePage(pageCtx(req, res), await ambiguousOrders(env, { limit: 20 })));
  });

  router.get(`${CONSOLE}/find`, async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    if (!ANY_NUMBER.test(q)) {
      return page(res, 400, findPage({ ...pageCtx(req, res), notice: { kind: 'error', text: 'Enter one order number: 1 to 64 visible characters, no spaces.' } }, q.slice(0, 64), []));
    }
    const matches = await findOrdersByAnyNumber(ctx.pool, q, 20);
    if (matches.length === 1) return res.redirect(303, orderPath(matches[0]!.orderId));
    page(res, 200, findPage(pageCtx(req, res), q, matches));
  });

  router.get(`${CONSOLE}/queue`, async (req, res) => {
    page(res, 200, queuePage(pageCtx(req, res), await ambiguousOrders(env, { limit: 200 })));
  });

  router.get(`${CONSOLE}/endpoints`, async (req, res) => {
    page(res, 200, endpointsPage(pageCtx(req, res), await notifyEndpoints(env, { pausedOnly: true, limit: 200 })));
  });
  router.post(`${CONSOLE}/endpoints/resume`, async (req, res, next) => {
    const { csrf: _csrf, ...body } = (req.body ?? {}) as Record<string, unknown>;
    try {
      const e = parseSupport(EndpointResumeBodySchema, body);
      const r = await resumeEndpoint(env, e, sessionOf(res).operator);
      setNotice(res, r.failed.length ? 'error' : 'ok', `Resumed ${r.url}: ${r.released.length} held notification(s) released, ` +
        `${r.replayed.length} replayed${r.failed.length ? `; ${r.failed.length} not done now, resume again: ${r.failed.map((f) => `${f.orderId} (${f.reason})`).join('; ')}` : ''}.`);
    } catch (err) {
      if (!(err instanceof SupportError)) return next(err);
      setNotice(res, 'error', err.message);
    }
    res.redirect(303, `${CONSOLE}/endpoints`);
  });

  router.get(`${CONSOLE}/reconciliation`, async (req, res) => {
    const channel = typeof req.query.channel === 'string' && req.query.channel !== '' ? req.query.channel : undefined;
    const q = parseSupport(ReconRunsQuerySchema, { limit: '120', ...(channel ? { channel } : {}) });
    page(res, 200, reconciliationPage(pageCtx(req, res), await reconReports(env, q), q.channel ?? null));
  });
  router.get(`${CONSOLE}/reconciliation/:channel/:date`, async (req, res) => {
    const p = parseSupport(ReconRunParamsSchema, req.params);
    page(res, 200, reconciliationReportPage(pageCtx(req, res), await reconReport(env, p.channel, p.date)));
  });

  router.get(`${CONSOLE}/orders/:orderId`, async (req, res) => {
    const { orderId } = parseSupport(OrderIdParamsSchema, req.params);
    const order = await loadOrder(ctx.pool, { orderId });
    const [t, reviews] = await Promise.all([orderTimeline(env, order), listReviewsOf(ctx.pool, orderId)]);
    page(res, 200, orderPage(pageCtx(req, res), { t, reviews: reviews.filter((r) => r.resolvedAtMs === null) }));
  });

  /** An action on one order: its outcome (or refusal) is shown on the order's page (POST → 303 → GET). */
  const orderAction = (act: (orderId: string, body: Record<string, unknown>, operator: string) => Promise<string>) =>
    async (req: Request, res: Response, next: NextFunction) => {
      const { orderId } = parseSupport(OrderIdParamsSchema, req.params);
      const { csrf: _csrf, ...body } = (req.body ?? {}) as Record<string, unknown>;
      try {
        setNotice(res, 'ok', await act(orderId, body, sessionOf(res).operator));
      } catch (err) {
        if (!(err instanceof SupportError) || err.code === 'not_found') return next(err);
        setNotice(res, 'error', err.message);
      }
      res.redirect(303, orderPath(orderId));
    };

  router.post(`${CONSOLE}/orders/:orderId/notification/replay`, orderAction(async (orderId, _body, actor) => {
    const outcome = await replayNotification(env, await loadOrder(ctx.pool, { orderId }), { actor });
    return outcome.path === 'signal'
      ? 'Replay requested: the order\'s workflow attempts delivery now.'
      : `Replay ${outcome.alreadyRunning ? 'already running' : 'started'}: attempt ${outcome.attempt} to ${outcome.url}.`;
  }));
  for (const action of ['pause', 'resume'] as const) {
    router.post(`${CONSOLE}/orders/:orderId/notification/${action}`, orderAction(async (orderId, _body, actor) => {
      await controlNotification(env, await loadOrder(ctx.pool, { orderId }), { action }, { actor });
      return action === 'pause' ? 'Notification paused.' : 'Notification resumed: it attempts delivery now.';
    }));
  }
  router.post(`${CONSOLE}/orders/:orderId/resolve`, orderAction(async (orderId, body, actor) => {
    // The form of one review names it (the page shows each open review with its own form).
    const { reviewId, ...rest } = body;
    const parsed = parseSupport(ResolveBodySchema, rest);
    const id = reviewId === undefined ? undefined : parseSupport(ReviewIdFieldSchema, { reviewId }).reviewId;
    const { order } = await resolveOrder(env, await loadOrder(ctx.pool, { orderId }), {
      decision: parsed.decision as ReviewDecision, reason: parsed.reason, actor,
    }, id);
    return `Resolved as ${parsed.decision}: the order is now ${order.payStatus}.`;
  }));

  router.post(`${CONSOLE}/orders/:orderId/refund-resolve`, orderAction(async (orderId, body, actor) => {
    const { refundId, ...rest } = body;
    const parsed = parseSupport(RefundResolveBodySchema, rest);
    const { refundId: id } = parseSupport(RefundIdParamsSchema, { refundId });
    const refund = await loadRefund(env, id);
    if (refund.orderId !== orderId) throw new SupportError('conflict', `refund ${id} is not a refund of order ${orderId}`);
    const after = await resolveRefund(env, refund, { decision: parsed.decision, reason: parsed.reason, actor });
    return `Refund ${id} resolved as ${parsed.decision}: it is now ${after.refundStatus}.`;
  }));

  router.post(`${CONSOLE}/orders/:orderId/retry-start`, orderAction(async (orderId, body, actor) => {
    const { refundId, ...rest } = body;
    const { reason } = parseSupport(StartRetryBodySchema, rest);
    const startEnv = { ...env, config: ctx.config };
    if (refundId !== undefined) {
      const { refundId: id } = parseSupport(RefundIdParamsSchema, { refundId });
      const refund = await loadRefund(env, id);
      if (refund.orderId !== orderId) throw new SupportError('conflict', `refund ${id} is not a refund of order ${orderId}`);
      const r = await retryRefundStart(startEnv, refund, { reason, actor });
      return `Refund ${id} ${r.start === 'started' ? 'started' : 'had been started already'} (workflow ${r.workflowId}): it runs as usual from here.`;
    }
    const r = await retryPayoutStart(startEnv, await loadOrder(ctx.pool, { orderId }), { reason, actor });
    return `Payout ${r.start === 'started' ? 'started' : 'was started already'} (workflow ${r.workflowId}): it runs as usual from here.`;
  }));

  router.use(CONSOLE, (req, res) => page(res, 404, errorPage(pageCtx(req, res), 'Not found', 'No such console page.')));
  router.use(CONSOLE, (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const session = (res.locals.console as ConsoleSession | undefined) ?? null;
    if (err instanceof SupportError) return page(res, err.httpStatus, errorPage({ session }, 'Cannot do that', err.message));
    const status = (err as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) return page(res, status, errorPage({ session }, 'Bad request', 'The request is malformed.'));
    ctx.log.error({ path: req.path, err: (err as Error)?.message }, 'console: unexpected error');
    page(res, 500, errorPage({ session }, 'Error', 'Unexpected error (logged by the API).'));
  });
  return router;
}

const orderPath = (orderId: string) => `${CONSOLE}/orders/${encodeURIComponent(orderId)}`;

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A form from this console: no cross-site fetch metadata, and an Origin (when sent) equal to this listener's. */
function sameOrigin(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.get('origin');
  return origin === undefined || origin === `${req.protocol}://${req.get('host')}`;
}

function setNotice(res: Response, kind: 'ok' | 'error', text: string): void {
  res.cookie(NOTICE_COOKIE, `${kind}:${encodeURIComponent(text.slice(0, 600))}`, { httpOnly: true, sameSite: 'strict', path: CONSOLE, maxAge: 60_000, encode: String });
}

/** The one-time notice of the previous action, cleared as it is shown. */
function takeNotice(req: Request, res: Response): Pick<PageContext, 'notice'> {
  const raw = cookieOf(req, NOTICE_COOKIE);
  if (!raw) return {};
  res.clearCookie(NOTICE_COOKIE, { path: CONSOLE });
  const m = /^(ok|error):(.*)$/.exec(raw);
  if (!m) return {};
  try {
    return { notice: { kind: m[1] as 'ok' | 'error', text: decodeURIComponent(m[2]!) } };
  } catch {
    return {};
  }
}
