import { randomUUID } from 'node:crypto';
import express, { Router } from 'express';
import QRCode from 'qrcode';
import type { ChannelDeps, HandOverDeps } from '../plugin';
import { findSandboxOrder, paySandboxOrder, type SandboxOrder } from './books';
import { attemptReport } from './report-dispatcher';
import { reportClaimLeaseMs } from '../../domain/report-schedule';
import { cashierPath, cashierUrl } from './urls';
import { findOrderById } from '../../db/orders';
import { ApiError } from '../../domain/errors';
import { formatFenAsYuan, parseYuanToFen } from '../../domain/money';
import { parseSandbox, SandboxOrderParamsSchema, SandboxPayBodySchema } from '../../api/schemas/sandbox';

/**
 * The sandbox channel's payer side: a cashier page for every sandbox order (what codeUrl / mwebUrl point at), its QR
 * image, and the "payer pays" action — from the page's button or as a JSON call for scripts and tests. Paying makes
 * the sandbox report success to the order workflow, as a real channel's callback would: the report is queued in the
 * sandbox's outbox with the payment and tried at once; what does not get through (Temporal down) the workers'
 * dispatcher retries (channels/sandbox/report-dispatcher.ts). The payer is told "paid" either way: the money is taken.
 * Mounted only where the sandbox is enabled (SANDBOX_ENABLED; off in production by default), and it pays test-mode
 * orders only: no key, no live money.
 */
export function sandboxCashierRoutes(ctx: ChannelDeps & HandOverDeps): Router {
  const router = Router();
  router.use('/sandbox', express.json({ limit: '16kb' }), express.urlencoded({ extended: false, limit: '16kb' }));

  // An order number that cannot be one (control characters, spaces, too long) is not looked up: not found.
  const findOrder = (no: string) => (SandboxOrderParamsSchema.safeParse({ no }).success ? findSandboxOrder(ctx.pool, no) : Promise.resolve(null));

  router.get('/sandbox/cashier/:no', async (req, res) => {
    const order = await findOrder(req.params.no);
    if (!order) return void res.status(404).type('html').send(page('Order not found', '<p>No sandbox order with this number.</p>'));
    res.type('html').send(cashierPage(order));
  });

  router.get('/sandbox/cashier/:no/qr.svg', async (req, res) => {
    const order = await findOrder(req.params.no);
    if (!order) return void res.status(404).type('text/plain').send('no sandbox order with this number');
    const svg = await QRCode.toString(cashierUrl(ctx.config.api.publicBaseUrl, order.channelOrderNo), { type: 'svg', margin: 1 });
    res.type('image/svg+xml').set('Cache-Control', 'public, max-age=3600').send(svg);
  });

  router.post('/sandbox/cashier/:no/pay', async (req, res) => {
    const outcome = await pay(req.params.no, false);
    res.status(outcome.paid ? 200 : 409).type('html').send(page(outcome.paid ? 'Paid' : 'Not paid', `<p>${escapeHtml(outcome.message)}</p>`));
  });

  /**
   * JSON: {channelOrderNo, tradeAmt?, afterClose?: boolean}. `tradeAmt` (yuan), when given, must be the order's amount;
   * `afterClose` simulates a channel that took the money anyway (test orders only, as everything here).
   */
  router.post('/sandbox/api/pay', async (req, res) => {
    const body = parseSandbox(SandboxPayBodySchema, req.body);
    let amountFen: number | undefined;
    if (body.tradeAmt !== undefined) {
      const parsed = parseYuanToFen(body.tradeAmt);
      if (!parsed.ok) throw ApiError.invalidField('tradeAmt', parsed.rule);
      amountFen = parsed.fen;
    }
    const outcome = await pay(body.channelOrderNo, body.afterClose === true, amountFen);
    res.status(outcome.paid ? 200 : 409).json(outcome);
  });

  /**
   * The sandbox pays a test-mode order it opened, for that order's amount, and nothing else: not a live order (were a
   * live order ever in its books), not another amount.
   */
  async function pay(channelOrderNo: string, afterClose: boolean, amountFen?: number) {
    const existing = await findOrder(channelOrderNo);
    if (!existing) throw new ApiError('100005', 'no sandbox order with this channelOrderNo', 'channelOrderNo');
    const order = await findOrderById(ctx.pool, existing.orderId);
    if (!order || order.livemode || order.channel !== 'sandbox') {
      return { paid: false, status: existing.status, message: 'the sandbox pays test-mode orders only' };
    }
    if (order.amountFen !== existing.amountFen || (amountFen !== undefined && amountFen !== order.amountFen)) {
      return { paid: false, status: existing.status, message: `the sandbox pays the order's amount only (${formatFenAsYuan(order.amountFen)} CNY)` };
    }
    const claimToken = randomUUID();
    const paid = await paySandboxOrder(ctx.pool, channelOrderNo, afterClose, {
      token: claimToken, leaseMs: reportClaimLeaseMs(ctx.config.channels.reportTimeoutMs),
    });
    if (!paid) {
      return { paid: false, status: existing.status, message: existing.status === 'paid' ? 'already paid' : 'the order is closed' };
    }
    // The immediate attempt (attempt 1 of the report's schedule), for low latency; the outbox row is what counts.
    await attemptReport({
      pool: ctx.pool,
      scheduleMs: ctx.config.channels.sandboxReportScheduleMs,
      deliver: ctx.deliver,
      log: ctx.log,
    }, {
      channelOrderNo: paid.channelOrderNo, orderId: paid.orderId, attempts: 1, claimToken,
      amountFen: paid.amountFen, paidAtMs: paid.paidAtMs ?? ctx.now(),
    }).catch((err: unknown) => {
      ctx.log.warn({ orderId: paid.orderId, err: (err as Error).message }, 'sandbox report attempt not recorded; the dispatcher retries it');
    });
    return { paid: true, status: 'paid', message: `paid ${formatFenAsYuan(paid.amountFen)} CNY` };
  }

  return router;
}

function cashierPage(o: SandboxOrder): string {
  const action = `${cashierPath(o.channelOrderNo)}/pay`;
  const body = o.status === 'open'
    ? `<form method="post" action="${escapeHtml(action)}"><button type="submit">Pay ¥${formatFenAsYuan(o.amountFen)}</button></form>`
    : `<p>This order is ${o.status}.</p>`;
  return page('Sandbox cashier', `
    <p><b>${escapeHtml(o.subject)}</b></p>
    <p>Amount: ¥${formatFenAsYuan(o.amountFen)}</p>
    <p>Order: ${escapeHtml(o.orderId)}</p>
    <img src="${escapeHtml(cashierPath(o.channelOrderNo))}/qr.svg" width="160" height="160" alt="QR code">
    ${body}`);
}

function page(title: string, inner: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width"><style>body{font-family:sans-serif;max-width:28em;margin:2em auto}
button{font-size:1.2em;padding:.5em 2em}</style></head><body><h1>${escapeHtml(title)}</h1>${inner}</body></html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

