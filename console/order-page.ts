import { html, type SafeHtml } from './html';
import { CONSOLE, layout, postButton, type PageContext } from './layout';
import { statusText } from './pages';
import type { OrderTimeline } from '../support/timeline';
import type { ConsoleSession } from './session';
import { REVIEW_DECISIONS } from '../domain/order-transitions';
import { REFUND_REVIEW_DECISIONS } from '../domain/refund-status';
import { isStartReview } from '../db/start-escalations';

/** One open review of the order (the human queue), as the page shows it. */
export interface OrderPageReview {
  id: number;
  kind: string;
  reason: string;
  refundId: string | null;
  detail: Record<string, unknown>;
}

export interface OrderPageData {
  t: OrderTimeline;
  /** The order's open reviews, oldest first: each gets its own form. */
  reviews: OrderPageReview[];
}

function actions(s: ConsoleSession, t: OrderTimeline): SafeHtml {
  const base = `${CONSOLE}/orders/${encodeURIComponent(t.order.orderId)}/notification`;
  const open = t.workflow.status === 'RUNNING';
  return html`<section aria-label="Notification"><h2>Notification</h2>
<dl><dt>State</dt><dd id="notify-state">${t.order.notifyState}</dd><dt>Attempts</dt><dd>${t.order.notifyAttempts}</dd>
<dt>Next attempt</dt><dd>${t.order.notifyNextAt ?? '—'}</dd><dt>URL</dt><dd>${t.order.notifyUrl}</dd></dl>
<p>${postButton(s, `${base}/replay`, 'Replay now', { kind: 'primary' })}${open
    ? html`${postButton(s, `${base}/pause`, 'Pause')}${postButton(s, `${base}/resume`, 'Resume')}`
    : html`<span class="muted">pause and resume apply while the order's workflow is open</span>`}</p></section>`;
}

/** The order's own review (its workflow, or a reconciliation finding, waits for a person): paid or unpaid. */
function resolveForm(s: ConsoleSession, orderId: string, review: OrderPageReview): SafeHtml {
  return html`<section aria-label="Decision" id="review-${review.id}"><h2>Waiting for a decision</h2>
<p><span class="badge">${review.kind}</span> ${review.reason}</p>
<form method="post" action="${CONSOLE}/orders/${encodeURIComponent(orderId)}/resolve" class="stack">
<input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="reviewId" value="${review.id}">
<label for="decision-${review.id}">Decision</label><select id="decision-${review.id}" name="decision" required>
${REVIEW_DECISIONS.map((d) => html`<option value="${d}">${d === 'paid' ? 'paid: the money was taken' : 'unpaid: it was not'}</option>`)}</select>
<label for="reason-${review.id}">What you checked</label><textarea id="reason-${review.id}" name="reason" required maxlength="500" rows="3"></textarea>
<button type="submit" class="primary">Resolve</button></form></section>`;
}

/** A refund's review (the channel's answer stayed unknown, or reconciliation found it): refunded or not. */
function refundResolveForm(s: ConsoleSession, orderId: string, review: OrderPageReview & { refundId: string }): SafeHtml {
  return html`<section aria-label="Refund decision" id="review-${review.id}"><h2>Refund waiting for a decision</h2>
<p><span class="badge">${review.kind}</span> Refund ${review.refundId}: ${review.reason}</p>
<form method="post" action="${CONSOLE}/orders/${encodeURIComponent(orderId)}/refund-resolve" class="stack">
<input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="refundId" value="${review.refundId}">
<label for="decision-${review.id}">Decision</label><select id="decision-${review.id}" name="decision" required>
${REFUND_REVIEW_DECISIONS.map((d) => html`<option value="${d}">${d === 'refunded' ? 'refunded: the channel paid it back' : 'not_refunded: it did not'}</option>`)}</select>
<label for="reason-${review.id}">What you checked</label><textarea id="reason-${review.id}" name="reason" required maxlength="500" rows="3"></textarea>
<button type="submit" class="primary">Resolve refund</button></form></section>`;
}

/** A start the workers gave up on (its workflow never ran): nothing to decide, its start is retried once the cause is fixed. */
function retryStartForm(s: ConsoleSession, orderId: string, review: OrderPageReview): SafeHtml {
  return html`<section aria-label="Retry start" id="review-${review.id}"><h2>Never started</h2>
<p><span class="badge">${review.kind}</span> ${review.refundId ? html`Refund ${review.refundId}` : html`This payout`}: ${review.reason}</p>
<p class="muted">Its workflow never ran, so there is nothing to decide. Fix the cause, then start it: it runs as usual from there.</p>
<form method="post" action="${CONSOLE}/orders/${encodeURIComponent(orderId)}/retry-start" class="stack">
<input type="hidden" name="csrf" value="${s.csrf}">
${review.refundId ? html`<input type="hidden" name="refundId" value="${review.refundId}">` : html``}
<label for="reason-${review.id}">What you fixed</label><textarea id="reason-${review.id}" name="reason" required maxlength="500" rows="3"></textarea>
<button type="submit" class="primary">Retry start</button></form></section>`;
}

/** Every open review of the order, each with the form that acts on it. */
function reviewForms(s: ConsoleSession, orderId: string, reviews: OrderPageReview[]): SafeHtml {
  return html`${reviews.map((r) => {
    if (isStartReview(r)) return retryStartForm(s, orderId, r);
    if (r.refundId !== null) return refundResolveForm(s, orderId, { ...r, refundId: r.refundId });
    return resolveForm(s, orderId, r);
  })}`;
}

export function orderPage(ctx: PageContext & { session: ConsoleSession }, { t, reviews }: OrderPageData): string {
  const o = t.order;
  return layout(ctx, `Order ${o.orderId}`, html`<section aria-label="Order"><dl>
<dt>Merchant</dt><dd>${o.mercNo}</dd><dt>Merchant order</dt><dd>${o.mercOrderNo}</dd>
<dt>Amount</dt><dd>¥${o.tradeAmt} ${o.feeType}</dd><dt>Status</dt><dd id="pay-status">${statusText(o.payStatus)}${o.latePayment ? ' (late payment)' : ''}</dd>
<dt>Channel</dt><dd>${o.channel} ${o.channelOrderNo ?? ''}</dd><dt>Payway</dt><dd>${o.paywayCode} · ${o.sceneCode}</dd>
<dt>Created</dt><dd>${o.createdAt}</dd><dt>Expires</dt><dd>${o.expireAt}</dd>
<dt>Workflow</dt><dd>${t.workflow.workflowId} · <span id="workflow-status">${t.workflow.status}</span>${t.workflow.note ? html` · ${t.workflow.note}` : html``}</dd>
</dl></section>
${reviewForms(ctx.session, o.orderId, reviews)}
${actions(ctx.session, t)}
<h2>Timeline</h2><section><ol class="timeline">${t.timeline.map((e) => html`<li class="${e.source}"><span class="when">${e.at} · ${e.source.replace('_', ' ')}</span>${e.summary}</li>`)}</ol></section>`);
}
