import { html, type SafeHtml } from './html';
import { CONSOLE, layout, postButton, type PageContext } from './layout';
import type { ConsoleSession } from './session';
import type { notifyEndpoints } from '../support/endpoint-health';
import type { OrderMatch } from '../db/order-search';
import type { ambiguousOrders } from '../support/reviews';
import { formatFenAsYuan, parseFenColumn } from '../domain/money';
import { STATUS_NAMES } from '../domain/order-transitions';
import type { PayStatus } from '../domain/pay-status';
import { CHANNEL_NAMES } from '../domain/channels';
import { DISCREPANCY_KINDS, type DiscrepancyKind } from '../domain/reconciliation';
import type { ReconDiscrepancyView, ReconReportView } from '../support/recon';

export const statusText = (s: string) => `${s} ${STATUS_NAMES[s as PayStatus] ?? ''}`.trim();
const orderLink = (orderId: string) => `${CONSOLE}/orders/${encodeURIComponent(orderId)}`;

export function loginPage(ctx: PageContext): string {
  return layout(ctx, 'Sign in', html`<section><form method="post" action="${CONSOLE}/login" class="stack">
<label for="token">Your operator token (SUPPORT_OPERATORS)</label>
<input type="password" id="token" name="token" autocomplete="current-password" required maxlength="256">
<button type="submit" class="primary">Sign in</button></form>
<p class="muted">Every action you take here is audited under your operator name.</p></section>`);
}

export function errorPage(ctx: PageContext, title: string, message: string): string {
  return layout(ctx, title, html`<section><p>${message}</p><p><a href="${CONSOLE}">Back to the console</a></p></section>`);
}

function searchForm(q: string): SafeHtml {
  return html`<form method="get" action="${CONSOLE}/find" class="search" role="search">
<input type="search" name="q" value="${q}" maxlength="64" aria-label="Order number"
 placeholder="orderId, merchant or channel order number" required>
<button type="submit" class="primary">Find</button></form>`;
}

type Queue = Awaited<ReturnType<typeof ambiguousOrders>>;

function queueList(queue: Queue): SafeHtml {
  if (queue.orders.length === 0) return html`<p class="muted">No order is waiting for a decision.</p>`;
  return html`<ul class="list">${queue.orders.map((o) => html`<li><a href="${orderLink(o.orderId)}">${o.orderId}</a>
<span class="badge">${o.kind}</span>${o.retryStart ? html` <span class="badge">never started</span>` : html``} ${o.mercNo} / ${o.mercOrderNo} · ¥${formatFenAsYuan(parseFenColumn(o.tradeAmtFen))} · ${statusText(o.payStatus)}
<span class="when">waiting since ${o.openedAt}: ${o.reason}</span></li>`)}</ul>`;
}

/** The start page: find an order by any number; what waits for a person. */
export function homePage(ctx: PageContext, queue: Queue, extra: SafeHtml = html``): string {
  return layout(ctx, 'Find an order', html`<section>${searchForm('')}
<p class="muted">Any of its numbers: the platform orderId, a merchant's order number, the channel's order number.</p></section>
<h2>Human queue (${queue.total})</h2><section>${queueList(queue)}</section>${extra}`);
}

export function findPage(ctx: PageContext, q: string, matches: OrderMatch[]): string {
  const list = matches.length === 0
    ? html`<p>No order has the number <b>${q}</b>.</p>`
    : html`<ul class="list">${matches.map((m) => html`<li><a href="${orderLink(m.orderId)}">${m.orderId}</a>
${m.mercNo} / ${m.mercOrderNo} · ${m.channel}${m.channelOrderNo ? html` ${m.channelOrderNo}` : html``} · ¥${formatFenAsYuan(m.amountFen)} · ${statusText(m.payStatus)}
<span class="when">matched its ${m.matched}, created ${new Date(m.createdAtMs).toISOString()}</span></li>`)}</ul>`;
  return layout(ctx, 'Find an order', html`<section>${searchForm(q)}</section><section>${list}</section>`);
}

export function queuePage(ctx: PageContext, queue: Queue): string {
  return layout(ctx, `Human queue (${queue.total})`, html`<section>${queueList(queue)}
<p class="muted">Open an order to decide it: the decision is applied and audited by its workflow.</p></section>`);
}

const KIND_NAMES: Record<DiscrepancyKind, string> = {
  paid_not_ours: 'paid, not at ours', amount_mismatch: 'amount differs', paid_elsewhere: 'paid twice', missing_at_channel: 'missing at the channel',
  refund_mismatch: 'refund differs', unknown_order: 'unknown order',
};
const OUTCOME_TEXT: Record<string, string> = {
  workflow: 'Reported to the order\'s workflow', 'follow-up': 'Reported as a late payment', ignored: 'Report not taken (not a payment)',
  'review-opened': 'Put in the human queue', 'review-open': 'Already in the human queue', 'no-order': 'No such order of this channel',
};
const reportLink = (r: { channel: string; date: string }) => `${CONSOLE}/reconciliation/${encodeURIComponent(r.channel)}/${encodeURIComponent(r.date)}`;
const yuan = (fen: number | null) => (fen === null ? '—' : `¥${formatFenAsYuan(Math.abs(fen))}`);

function countsLine(r: ReconReportView): SafeHtml {
  const kinds = DISCREPANCY_KINDS.filter((k) => r.counts[k] > 0);
  if (kinds.length === 0) return html`<span class="badge">no discrepancy</span>`;
  return html`${kinds.map((k) => html`<span class="badge">${KIND_NAMES[k]}: ${r.counts[k]}</span> `)}`;
}

/** Reconciliation reports, one per channel and day (newest first), with their figures and discrepancy counts. */
export function reconciliationPage(ctx: PageContext, v: { runs: ReconReportView[] }, channel: string | null): string {
  const filter = html`<p class="filters">${[null, ...CHANNEL_NAMES].map((c) => (c === channel
    ? html`<b>${c ?? 'all'}</b> `
    : html`<a href="${CONSOLE}/reconciliation${c ? `?channel=${c}` : ''}">${c ?? 'all'}</a> `))}</p>`;
  const list = v.runs.length === 0
    ? html`<p class="muted">No reconciliation report yet: each channel's previous day is reconciled daily (RECON_AT), or now with npm run support -- recon run &lt;channel&gt; &lt;date&gt;.</p>`
    : html`<ul class="list">${v.runs.map((r) => html`<li class="recon"><a href="${reportLink(r)}">${r.date} · ${r.channel}</a>
<span class="badge">${r.status}</span> ${r.lines} line(s), ${r.matched} matched, ${r.discrepancies} open discrepancy(ies)
<span class="when">${countsLine(r)}</span></li>`)}</ul>`;
  return layout(ctx, 'Reconciliation reports', html`<section id="reconciliation">${filter}${list}
<p class="muted">Days are Asia/Shanghai calendar days. Money the channel took that we did not show as paid is reported to
the order (late payment); other discrepancies wait in the human queue.</p></section>`);
}

/** One channel's reconciliation of one day: figures, counts and each discrepancy with what was done about it. */
export function reconciliationReportPage(ctx: PageContext, v: { run: ReconReportView; discrepancies: ReconDiscrepancyView[] }): string {
  const r = v.run;
  const list = v.discrepancies.length === 0
    ? html`<p class="muted">No discrepancy: every line of the statement matched.</p>`
    : html`<ul class="list">${v.discrepancies.map((d) => html`<li class="discrepancy${d.clearedAt ? ' cleared' : ''}">
<span class="badge">${KIND_NAMES[d.kind]}</span> ${d.kind === 'unknown_order' ? d.orderId : html`<a href="${orderLink(d.orderId)}">${d.orderId}</a>`}${d.refundId ? html` refund ${d.refundId}` : html``}
· channel ${yuan(d.channelFen)} · ours ${yuan(d.ourFen)}
<span class="when">${d.detail}. ${d.action === 'none' ? 'Recorded only.' : d.outcome ? `${OUTCOME_TEXT[d.outcome] ?? d.outcome} (${d.actedAt ?? ''}).` : 'Not acted on yet.'}${d.clearedAt ? ` Cleared ${d.clearedAt}: a later run no longer found it.` : ''}</span></li>`)}</ul>`;
  return layout(ctx, `Reconciliation ${r.channel} ${r.date}`, html`<section id="recon-report"><dl>
<dt>Status</dt><dd>${r.status}${r.error ? html` — ${r.error}` : html``}</dd>
<dt>Statement lines</dt><dd>${r.lines}</dd><dt>Matched</dt><dd>${r.matched}</dd>
<dt>Channel took</dt><dd>${yuan(r.channelPayFen)}</dd><dt>Channel refunded</dt><dd>${yuan(r.channelRefundFen)}</dd>
<dt>Open discrepancies</dt><dd>${r.discrepancies} ${countsLine(r)}</dd>
<dt>Runs</dt><dd>${r.attempts}, last ${r.startedAt}${r.finishedAt ? ` → ${r.finishedAt}` : ''}</dd></dl></section>
<h2>Discrepancies</h2><section aria-label="Discrepancies">${list}</section>
<p><a href="${CONSOLE}/reconciliation">All reports</a></p>`);
}

type Endpoints = Awaited<ReturnType<typeof notifyEndpoints>>;

/** Endpoint health: the merchant notify endpoints paused for failing too long, each with its Resume button. */
export function endpointsPage(ctx: PageContext & { session: ConsoleSession }, v: Endpoints): string {
  const list = v.endpoints.length === 0
    ? html`<p class="muted">No notify endpoint is paused.</p>`
    : html`<ul class="list">${v.endpoints.map((e) => html`<li class="endpoint"><b>${e.mercNo}</b> ${e.url}
<span class="when">paused ${e.pausedAt ?? '—'} after failing since ${e.failingSince ?? '—'}: ${e.lastError ?? ''}
· ${e.heldNotifications} notification(s) held</span>
${postButton(ctx.session, `${CONSOLE}/endpoints/resume`, 'Resume', {
    kind: 'primary', fields: html`<input type="hidden" name="mercNo" value="${e.mercNo}"><input type="hidden" name="url" value="${e.url}">`,
  })}</li>`)}</ul>`;
  return layout(ctx, 'Paused notify endpoints', html`<section>${list}
<p class="muted">Resuming sends each held notification now, and replays once every order whose notification ran out
while the endpoint was failing: each order's latest state, once.</p></section>`);
}
