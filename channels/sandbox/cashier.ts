import { randomUUID } from 'node:crypto';
import express, { Router } from 'express';
import QRCode from 'qrcode';
import type { ChannelDeps, HandOverDeps } from '../plugin';
import { findSandboxOrder, paySandboxOrder, type SandboxOrder } from './books';
import { attemptReport } from './report-dispatcher';
import { reportClaimLeaseMs } from '../../domain/report-schedule';
import { cashierPath, cashierUrl } from './urls';
import { findOrderById, type OrderRecord } from '../../db/orders';
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
    res.type('html').send(cashierPage(order, await findOrderById(ctx.pool, order.orderId)));
  });

  router.get('/sandbox/cashier/:no/qr.svg', async (req, res) => {
    const order = await findOrder(req.params.no);
    if (!order) return void res.status(404).type('text/plain').send('no sandbox order with this number');
    const svg = await QRCode.toString(cashierUrl(ctx.config.api.publicBaseUrl, order.channelOrderNo), { type: 'svg', margin: 1 });
    res.type('image/svg+xml').set('Cache-Control', 'public, max-age=3600').send(svg);
  });

  // The payer pays from the page; a paid order sends the payer back to the merchant's returnUrl, as a cashier does.
  router.post('/sandbox/cashier/:no/pay', async (req, res) => {
    const outcome = await pay(req.params.no, false);
    const returnUrl = outcome.paid ? outcome.returnUrl : null;
    if (returnUrl) {
      const link = `<p>${escapeHtml(outcome.message)}. <a href="${escapeHtml(returnUrl)}">Return to the merchant</a></p>`;
      return void res.status(303).location(returnUrl).type('html').send(page('Paid', link));
    }
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
    const { returnUrl: _returnUrl, ...outcome } = await pay(body.channelOrderNo, body.afterClose === true, amountFen);
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
    return { paid: true, status: 'paid', message: `paid ${formatFenAsYuan(paid.amountFen)} CNY`, returnUrl: order.returnUrl };
  }

  return router;
}

/** The brand colour of each payway, so the page looks like the cashier the payer expects. */
const PAYWAY_STYLE: Record<string, { name: string; colour: string }> = {
  alipay: { name: 'Alipay', colour: '#1677ff' },
  wxpay: { name: 'WeChat Pay', colour: '#07c160' },
  unionpay: { name: 'UnionPay', colour: '#e60012' },
};

function cashierPage(o: SandboxOrder, order: OrderRecord | null): string {
  const payway = PAYWAY_STYLE[order?.paywayCode ?? ''] ?? { name: 'Sandbox', colour: '#3d4f6b' };
  const action = `${cashierPath(o.channelOrderNo)}/pay`;
  const back = order?.returnUrl ? `<p><a class="back" href="${escapeHtml(order.returnUrl)}">Return to the merchant</a></p>` : '';
  const body = o.status === 'open'
    ? `<form method="post" action="${escapeHtml(action)}"><button type="submit" class="pay">Pay ¥${formatFenAsYuan(o.amountFen)}</button></form>`
    : `<p class="state">This order is ${o.status}.</p>${back}`;
  return page(`${payway.name} · sandbox cashier`, `
    <div class="payway">${escapeHtml(payway.name)}<span>sandbox · test money only</span></div>
    <p class="subject">${escapeHtml(o.subject)}</p>
    <p class="amount" aria-label="Amount">¥<b>${formatFenAsYuan(o.amountFen)}</b></p>
    <img class="qr" src="${escapeHtml(cashierPath(o.channelOrderNo))}/qr.svg" width="168" height="168" alt="QR code of this payment">
    ${body}
    <p class="order">Order ${escapeHtml(o.orderId)}</p>`, payway.colour, false);
}

function page(title: string, inner: string, colour = '#3d4f6b', titleShown = true): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>
:root{--brand:${colour}}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f2f3f5;color:#1f2329}
main{max-width:26em;margin:0 auto;background:#fff;min-height:100vh;text-align:center;padding:0 0 2em}
h1{font-size:1.3em;margin:1em}
h1.brandless{position:absolute;left:-9999px}
.payway{background:var(--brand);color:#fff;font-size:1.3em;font-weight:700;padding:.9em 1em}
.payway span{display:block;font-size:.6em;font-weight:400;opacity:.85}
.subject{margin:1.4em 1em .2em;color:#646a73;overflow-wrap:anywhere}
.amount{margin:0 0 .6em;font-size:1.6em;color:#1f2329}
.amount b{font-size:1.9em;font-weight:700}
.qr{display:block;margin:.4em auto 1.2em}
button.pay{background:var(--brand);color:#fff;border:0;border-radius:.4em;font-size:1.2em;padding:.8em 0;width:calc(100% - 2em)}
.state{font-size:1.1em}
.back{color:var(--brand)}
.order{color:#8f959e;font-size:.8em;margin-top:2em;overflow-wrap:anywhere}
</style></head><body><main><h1${titleShown ? '' : ' class="brandless"'}>${escapeHtml(title)}</h1>${inner}</main></body></html>`;
}
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

